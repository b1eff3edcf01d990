/* Work flagged in upcall context, done later; see <kernel/deferred.h>. */
#include <kernel/deferred.h>
#include <kernel/event.h>
#include <xen/time.h>

volatile bool deferred_flag;

void deferred_run(void)
{
	deferred_flag = false;
	beep_expire(time_now_ns());
	console_input_deliver();
	files_deliver();
}
