/*
 * term.c - progress on a terminal (see term.h): ask the terminal its width
 * (ioctl TIOCGWINSZ) and cut a line to it.
 */
#include "term.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int base_term_width(int fd) {
  const char *term = getenv("TERM");
  struct winsize ws;

  if (!isatty(fd) || term == NULL || *term == '\0' ||
      strcmp(term, "dumb") == 0)
    return 0;
  if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0)
    return 80;
  return ws.ws_col;
}

void base_term_fit(char *s, size_t width) {
  if (strlen(s) <= width)
    return;
  s[width] = '\0';
  if (width >= 4)
    memcpy(s + width - 3, "...", 3);
}
