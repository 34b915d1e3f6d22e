// SPDX-License-Identifier: GPL-2.0
/* Power the test guest off once the init script is done. */
#include <sys/reboot.h>
#include <unistd.h>

int main(void)
{
	sync();
	return reboot(RB_POWER_OFF);
}
