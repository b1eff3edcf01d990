/* Work flagged in upcall context, done later; see <kernel/deferred.h>. */
#include <kernel/deferred.h>
#include <kernel/event.h>
#include <xen/time.h>

static volatile bool requested;

void deferred_request(void)
{
	requested = true;
}

bool deferred_requested(void)
{
	return requested;
}

void deferred_run(void)
{
	requested = false;
	beep_expire(time_now_ns());
	console_input_deliver();
}
