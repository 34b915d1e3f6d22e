/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Tracepoints of the DRM shrinker: events/drm_shrinker/ in tracefs.
 */

#undef TRACE_SYSTEM
#define TRACE_SYSTEM drm_shrinker

#if !defined(_DRM_SHRINKER_TRACE_H_) || defined(TRACE_HEADER_MULTI_READ)
#define _DRM_SHRINKER_TRACE_H_

#include <linux/tracepoint.h>

#include <drm/drm_device.h>
#include <drm/drm_gem.h>

TRACE_EVENT(drm_shrinker_scan_start,
	    TP_PROTO(int nid, unsigned long nr_to_scan),
	    TP_ARGS(nid, nr_to_scan),
	    TP_STRUCT__entry(__field(int, nid)
			     __field(unsigned long, nr_to_scan)),
	    TP_fast_assign(__entry->nid = nid;
			   __entry->nr_to_scan = nr_to_scan;),
	    TP_printk("nid=%d requested=%lu", __entry->nid, __entry->nr_to_scan)
);

TRACE_EVENT(drm_shrinker_scan,
	    TP_PROTO(unsigned long nr_to_scan, unsigned long freed,
		     unsigned long scanned),
	    TP_ARGS(nr_to_scan, freed, scanned),
	    TP_STRUCT__entry(__field(unsigned long, nr_to_scan)
			     __field(unsigned long, freed)
			     __field(unsigned long, scanned)),
	    TP_fast_assign(__entry->nr_to_scan = nr_to_scan;
			   __entry->freed = freed;
			   __entry->scanned = scanned;),
	    TP_printk("requested=%lu freed=%lu scanned=%lu",
		      __entry->nr_to_scan, __entry->freed, __entry->scanned)
);

/* What happened to one object: its device, its size and the pages. */
DECLARE_EVENT_CLASS(drm_shrinker_object,
		    TP_PROTO(struct drm_gem_object *obj, unsigned long pages),
		    TP_ARGS(obj, pages),
		    TP_STRUCT__entry(__string(dev, obj->dev->unique)
				     __field(size_t, size)
				     __field(unsigned long, pages)),
		    TP_fast_assign(__assign_str(dev);
				   __entry->size = obj->size;
				   __entry->pages = pages;),
		    TP_printk("dev=%s size=%zu pages=%lu",
			      __get_str(dev), __entry->size, __entry->pages)
);

/* A purge freed @pages. */
DEFINE_EVENT(drm_shrinker_object, drm_shrinker_purge,
	     TP_PROTO(struct drm_gem_object *obj, unsigned long pages),
	     TP_ARGS(obj, pages)
);

/* An eviction let go of @pages. */
DEFINE_EVENT(drm_shrinker_object, drm_shrinker_evict,
	     TP_PROTO(struct drm_gem_object *obj, unsigned long pages),
	     TP_ARGS(obj, pages)
);

/* An evicted object got @pages back. */
DEFINE_EVENT(drm_shrinker_object, drm_shrinker_swapin,
	     TP_PROTO(struct drm_gem_object *obj, unsigned long pages),
	     TP_ARGS(obj, pages)
);

#endif /* _DRM_SHRINKER_TRACE_H_ */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE drm_shrinker_trace
#include <trace/define_trace.h>
