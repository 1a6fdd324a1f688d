/*
 * fuzz_response.c - libFuzzer on workloads/response.c: any bytes, any
 * pieces.
 *
 * The first input byte says how the rest is cut (0: whole; n: pieces of n
 * bytes), then the connection closes.  Beyond what the sanitizers catch,
 * it traps when the reader breaks its promises: a feed uses every byte
 * unless the answer is done or refused; a done answer has a status and
 * no error; and the pieces make no difference - the same bytes read
 * whole give the same status, hash, length, keep-alive and error.
 */
#include <stddef.h>
#include <stdint.h>

#include "response.h"

#define check(cond)                                                         \
  do {                                                                      \
    if (!(cond))                                                            \
      __builtin_trap();                                                     \
  } while (0)

/* Read data in pieces of `piece` bytes, then the close. */
static void read_all(wl_resp *r, const char *data, size_t size, size_t piece) {
  size_t off = 0;

  wl_resp_init(r);
  while (off < size && !r->done && r->error == WL_RESP_OK) {
    size_t n = size - off < piece ? size - off : piece;
    size_t used = wl_resp_feed(r, data + off, n);

    check(used <= n);
    if (!r->done && r->error == WL_RESP_OK)
      check(used == n);
    off += used;
  }
  wl_resp_eof(r);
  check(r->done == (r->error == WL_RESP_OK));
  if (r->done)
    check(r->head_done && r->status >= 100 && r->body_bytes <= r->received);
  check(r->head_bytes <= WL_RESP_HEAD_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *bytes = (const char *)data + 1;
  wl_resp cut, whole;

  if (size < 1)
    return 0;
  read_all(&cut, bytes, size - 1, data[0] == 0 ? size : data[0]);
  read_all(&whole, bytes, size - 1, size);
  check(cut.error == whole.error && cut.done == whole.done);
  if (cut.done)
    check(cut.status == whole.status && cut.hash == whole.hash &&
          cut.body_bytes == whole.body_bytes &&
          cut.keep_alive == whole.keep_alive);
  return 0;
}
