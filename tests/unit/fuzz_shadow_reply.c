/*
 * libFuzzer over the kernel's check of a daemon's reply
 * (shadow_rsp_valid, <uapi/ethos/shadow.h>): any bytes as a request and a
 * reply.  What the kernel does with a reply it believed must stay in
 * bounds: a read's size within its buffer, a name within its array and a
 * single element.  ASan/UBSan watch the copies the kernel makes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uapi/ethos/shadow.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct shadow_req req;
	struct shadow_rsp rsp;
	char name[SHADOW_NAME_MAX];

	if (size < 16)
		return 0;
	memset(&req, 0, sizeof(req));
	memset(&rsp, 0, sizeof(rsp));
	/* The first bytes pick the op and the buffer; the rest is the reply. */
	req.op = data[0] % (ShadowOpCount + 1);
	memcpy(&req.data_len, data + 1, 4);
	size -= 5;
	data += 5;
	memcpy(&rsp, data, size < sizeof(rsp) ? size : sizeof(rsp));
	if (!shadow_rsp_valid(&req, &rsp))
		return 0;
	if (rsp.status == StatusReturnSpace &&
	    (req.op != ShadowRead || rsp.size <= req.data_len || rsp.size > SHADOW_DATA_MAX))
		abort();
	if (rsp.status != StatusOk)
		return 0;
	if (req.op == ShadowRead && rsp.size > req.data_len)
		abort();
	if (req.op == ShadowNextName) {
		memcpy(name, rsp.name, rsp.name_len);     /* as file_done does */
		if (!shadow_name_ok(name, rsp.name_len))
			abort();
	}
	if (req.op == ShadowOpenDir && rsp.kind != ShadowKindDirectory)
		abort();
	return 0;
}
