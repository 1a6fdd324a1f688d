/*
 * frame.c - length-prefixed frames (see frame.h).
 */
#include "frame.h"
#include "workload.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

ssize_t mp_read_full(int fd, void *buf, size_t n) {
  char *p = buf;
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, p + got, n - got);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (r == 0) /* end of file */
      break;
    got += (size_t)r;
  }
  return (ssize_t)got;
}

int mp_frame_write(int fd, const void *payload, uint32_t len) {
  unsigned char frame[sizeof(uint32_t) + MP_FRAME_MAX];

  if (len > MP_FRAME_MAX) {
    errno = EMSGSIZE;
    return -1;
  }
  /* Header and payload in one buffer, so a frame is one write() call
   * (not two), and the reader rarely sees half of one. */
  memcpy(frame, &len, sizeof len);
  memcpy(frame + sizeof len, payload, len);
  return wl_write_full(fd, frame, sizeof len + len);
}

int mp_frame_read(int fd, void *buf, uint32_t cap, uint32_t *len) {
  uint32_t n;
  ssize_t r = mp_read_full(fd, &n, sizeof n);

  if (r < 0)
    return -1;
  if (r == 0)
    return 0; /* clean end: no frame started */
  if ((size_t)r < sizeof n) {
    errno = EPROTO;
    return -1;
  }
  if (n > cap) {
    errno = EMSGSIZE;
    return -1;
  }
  r = mp_read_full(fd, buf, n);
  if (r < 0)
    return -1;
  if ((size_t)r < n) {
    errno = EPROTO; /* the writer died in the middle of a frame */
    return -1;
  }
  *len = n;
  return 1;
}
