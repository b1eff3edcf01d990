/* Event channels: binding, the upcall dispatcher, notification. */
#ifndef XENEVT_H
#define XENEVT_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*evtchn_handler_fn)(uint32_t port, void *arg);

void evtchn_init(void);
/* Binds a VIRQ on vCPU 0 to a new port with this handler; returns the port. */
uint32_t evtchn_bind_virq(uint32_t virq, evtchn_handler_fn fn, void *arg);
/* Installs a handler for a port we were given (console, xenstore). */
void evtchn_set_handler(uint32_t port, evtchn_handler_fn fn, void *arg);
void evtchn_unmask(uint32_t port);
void evtchn_notify(uint32_t port);
/* A new port that domain `remote` may bind (EVTCHNOP_alloc_unbound);
 * false if Xen refuses. */
bool evtchn_alloc_unbound(uint16_t remote, uint32_t *port);
/* Is our port bound to a peer right now?  When the peer closes its end
 * (a dom0 process exits), Xen makes ours unbound again and tells nobody:
 * this is how the file transport notices its daemon is gone. */
bool evtchn_is_interdomain(uint32_t port);
/* Runs the handlers of every pending, unmasked port (upcall context). */
void evtchn_do_upcall(void);

#endif
