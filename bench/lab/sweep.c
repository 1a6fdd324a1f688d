/*
 * sweep.c - find how far a model scales: 10, 100, 1,000, ... waiting
 * units at once, until a stated cap or until the system refuses.
 *
 * The sweep only decides what to try next; ops->hold does the holding (in
 * the lab, a fresh child process per level; in the tests, a fake that
 * refuses past some level, so that the limit logic is tested without
 * exhausting a real machine).
 */
#include "lab.h"

#include <string.h>

lab_stop lab_sweep(const lab_sweep_ops *ops, void *ctx, const long *levels,
                   int nlevels, long cap, lab_sweep_result *out) {
  memset(out, 0, sizeof *out);
  snprintf(out->model, sizeof out->model, "%s", ops->model);
  snprintf(out->what, sizeof out->what, "%s", ops->what);
  out->cap = cap;
  out->stop = LAB_STOP_CAP;
  for (int i = 0; i < nlevels && out->nlevels < LAB_MAX_LEVELS; i++) {
    lab_level *lv;
    if (levels[i] > cap)
      break;
    lv = &out->levels[out->nlevels++];
    lv->n = levels[i];
    if (ops->hold(ctx, lv->n, &lv->h) != 0) {
      out->stop = LAB_STOP_FAILED;
      out->err = lv->h.err;
      break;
    }
    if (lv->h.got < lv->n) {
      out->stop = LAB_STOP_REFUSED;
      out->err = lv->h.err;
      break;
    }
    lv->ok = 1;
    out->largest = lv->n;
  }
  return out->stop;
}

void lab_sweep_why(const lab_sweep_result *r, char *buf, size_t cap) {
  const lab_level *last = r->nlevels > 0 ? &r->levels[r->nlevels - 1] : NULL;

  if (r->stop == LAB_STOP_CAP)
    snprintf(buf, cap, "cap reached (%ld)", r->cap);
  else if (r->stop == LAB_STOP_REFUSED && last != NULL)
    snprintf(buf, cap, "refused at n=%ld, %ld created: %s", last->n,
             last->h.got, lab_errno_name(r->err));
  else if (last != NULL)
    snprintf(buf, cap, "failed at n=%ld: %s", last->n,
             last->h.why[0] ? last->h.why : lab_errno_name(r->err));
  else
    snprintf(buf, cap, "no level tried");
}
