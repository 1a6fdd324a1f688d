/*
 * term.h - progress on a terminal: one line redrawn in place where the
 * terminal can (a real one, not TERM=dumb), and no wider than it, since a
 * line that wraps cannot be redrawn with "\r"; plain lines anywhere else
 * (a file, a pipe, CI's log, a dumb terminal).
 */
#ifndef CONCLAB_TERM_H
#define CONCLAB_TERM_H

#include <stddef.h>

/* The width of the terminal on fd, in columns, when progress may be
 * redrawn there: fd is a terminal and TERM is set and not "dumb".  0 when
 * it may not.  A terminal that does not say its width (TIOCGWINSZ fails
 * or gives 0) counts as 80. */
int base_term_width(int fd);

/* Cut s to at most width characters, its end replaced by "..." when cut
 * (and width is 4 or more). */
void base_term_fit(char *s, size_t width);

#endif
