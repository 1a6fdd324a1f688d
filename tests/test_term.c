/*
 * test_term.c - progress on a terminal (base/term.h) and the commands that
 * show it.
 *
 * Checks:
 *   - base_term_fit cuts a line to a width, its end "..." when cut;
 *   - base_term_width: a pipe is not a terminal (0); a pseudo-terminal says
 *     its width (TIOCSWINSZ), or counts as 80 when it says 0; TERM=dumb or
 *     no TERM: 0 (plain lines);
 *   - end to end, under a pseudo-terminal 40 columns wide: `conclab suite`
 *     redraws its progress line in place, each no wider than 39 columns,
 *     and `conclab lab`'s lines fit too; with TERM=dumb the suite writes
 *     plain lines, no carriage return.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "term.h"

static void fit_cuts_with_dots(void **state) {
  char s[64];
  (void)state;
  strcpy(s, "short");
  base_term_fit(s, 10);
  assert_string_equal(s, "short");
  strcpy(s, "exactly10!");
  base_term_fit(s, 10);
  assert_string_equal(s, "exactly10!");
  strcpy(s, "a line far too long for it");
  base_term_fit(s, 10);
  assert_string_equal(s, "a line ...");
  strcpy(s, "abcdef");
  base_term_fit(s, 2); /* no room for the dots */
  assert_string_equal(s, "ab");
}

/* A pseudo-terminal of the given width; its two ends in m and s. */
static void open_pty(int cols, int *m, int *s) {
  struct winsize ws = {.ws_row = 24, .ws_col = (unsigned short)cols};
  assert_int_equal(openpty(m, s, NULL, NULL, &ws), 0);
}

static void width_of_terminals(void **state) {
  int p[2], m, s;
  struct winsize none = {0};
  (void)state;

  setenv("TERM", "xterm", 1);
  assert_int_equal(pipe(p), 0);
  assert_int_equal(base_term_width(p[1]), 0);
  close(p[0]);
  close(p[1]);
  open_pty(57, &m, &s);
  assert_int_equal(base_term_width(s), 57);
  setenv("TERM", "dumb", 1);
  assert_int_equal(base_term_width(s), 0);
  unsetenv("TERM");
  assert_int_equal(base_term_width(s), 0);
  setenv("TERM", "xterm", 1);
  assert_int_equal(ioctl(s, TIOCSWINSZ, &none), 0);
  assert_int_equal(base_term_width(s), 80);
  close(m);
  close(s);
}

/* Run conclab with argv under a pseudo-terminal cols wide as its stdin,
 * stdout and stderr, with TERM set to term; all it wrote, NUL-ended. */
static char *run_on_pty(const char *const *argv, int cols, const char *term) {
  int m, s, status;
  char *out = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&out, &len);
  pid_t pid;

  assert_non_null(mem);
  open_pty(cols, &m, &s);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(m);
    setsid();
    ioctl(s, TIOCSCTTY, 0);
    dup2(s, 0);
    dup2(s, 1);
    dup2(s, 2);
    if (s > 2)
      close(s);
    setenv("TERM", term, 1);
    execv(CONCLAB_BIN, (char *const *)argv);
    _exit(127);
  }
  close(s);
  for (;;) {
    char buf[4096];
    ssize_t got = read(m, buf, sizeof buf);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0) /* EIO: the child's side is closed */
      break;
    fwrite(buf, 1, (size_t)got, mem);
  }
  close(m);
  while (waitpid(pid, &status, 0) < 0)
    assert_int_equal(errno, EINTR);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_int_equal(fclose(mem), 0);
  return out;
}

/* The widest piece of text between line ends, carriage returns and the
 * "erase to the end of the line" sequence. */
static size_t widest(const char *text) {
  size_t most = 0, run = 0;
  for (const char *p = text; *p != '\0'; p++) {
    if (*p == '\r' || *p == '\n') {
      run = 0;
    } else if (strncmp(p, "\033[K", 3) == 0) {
      run = 0;
      p += 2;
    } else if (++run > most) {
      most = run;
    }
  }
  return most;
}

static char out_dir[64];

static int make_out(void **state) {
  (void)state;
  strcpy(out_dir, "/tmp/conclab_test_term_XXXXXX");
  return mkdtemp(out_dir) != NULL ? 0 : -1;
}

static int remove_out(void **state) {
  char cmd[128];
  (void)state;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", out_dir);
  return system(cmd) == 0 ? 0 : -1;
}

static void suite_line_fits(void **state) {
  const char *argv[] = {CONCLAB_BIN, "suite", "--profile", "smoke",
                        "--runs", "1", "--no-hyperfine", "--out", out_dir,
                        NULL};
  char *text = run_on_pty(argv, 40, "xterm");
  char *summary;
  (void)state;
  assert_non_null(strstr(text, "\r\033[K[cell 1/"));  /* redrawn in place */
  /* every progress line (before the summary) within 39 columns */
  summary = strstr(text, "\r\033[Kconclab: ");
  assert_non_null(summary);
  *summary = '\0';
  assert_true(widest(text) <= 39);
  assert_non_null(strstr(text, "...")); /* a label was cut to fit */
  free(text);
}

static void suite_dumb_plain(void **state) {
  const char *argv[] = {CONCLAB_BIN, "suite", "--profile", "smoke",
                        "--runs", "1", "--no-hyperfine", "--out", out_dir,
                        NULL};
  char *text = run_on_pty(argv, 40, "dumb");
  (void)state;
  assert_null(strstr(text, "\033[K"));
  assert_non_null(strstr(text, "conclab: [cell 1/"));
  free(text);
}

static void lab_lines_fit(void **state) {
  const char *argv[] = {CONCLAB_BIN, "lab", "--profile", "smoke", "--only",
                        "uv_timer", "--out", out_dir, NULL};
  char *text = run_on_pty(argv, 40, "xterm");
  char *p = strstr(text, "conclab: lab [1/1]");
  (void)state;
  assert_non_null(p);
  p[strcspn(p, "\r\n")] = '\0';
  assert_true(strlen(p) <= 39);
  assert_string_equal(p + strlen(p) - 3, "...");
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fit_cuts_with_dots),
      cmocka_unit_test(width_of_terminals),
      cmocka_unit_test_setup_teardown(suite_line_fits, make_out, remove_out),
      cmocka_unit_test_setup_teardown(suite_dumb_plain, make_out, remove_out),
      cmocka_unit_test_setup_teardown(lab_lines_fit, make_out, remove_out),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
