/*
 * frame.h - length-prefixed frames over a pipe.
 *
 * A pipe carries bytes, not messages: one read() may return half a message,
 * or two.  So every message travels as a frame - a 4-byte length, then that
 * many bytes - and both ends loop until a whole frame has moved.  The loops
 * retry EINTR (a signal arrived) and continue after short reads and writes.
 */
#ifndef CONCLAB_MULTIPROC_FRAME_H
#define CONCLAB_MULTIPROC_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The largest payload a frame may carry. */
#define MP_FRAME_MAX 4096

/* Writing all n bytes is wl_write_full (workload.h), shared with the files
 * workload: a short write sends the rest, EINTR is retried. */
/* Read up to n bytes, stopping early only at end of file.  Returns the
 * count read (n, or less at EOF), or -1 with errno set. */
ssize_t mp_read_full(int fd, void *buf, size_t n);

/* Send one frame.  0, or -1 with errno set. */
int mp_frame_write(int fd, const void *payload, uint32_t len);
/* Receive one frame into buf (cap bytes).  1: a frame, its length in *len;
 * 0: end of file before a frame (the peer closed cleanly);
 * -1: error, errno EPROTO for end of file inside a frame, EMSGSIZE for a
 * frame longer than cap, or read()'s own errno. */
int mp_frame_read(int fd, void *buf, uint32_t cap, uint32_t *len);

#endif
