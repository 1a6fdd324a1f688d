/*
 * registry.c - the list of workloads, and the plumbing every model shares:
 * running task i into slot i, and folding slots into a checksum.
 */
#include "workload.h"

#include <string.h>

const wl_workload *const wl_all[] = {&wl_sleep, &wl_primes, NULL};

const wl_workload *wl_find(const char *name) {
  for (int i = 0; wl_all[i] != NULL; i++)
    if (strcmp(wl_all[i]->name, name) == 0)
      return wl_all[i];
  return NULL;
}

void wl_run_one(const wl_workload *wl, const wl_params *p, uint32_t i,
                wl_slot *slot) {
  wl_task task;
  uint64_t value = 0;

  wl->task_input(p, i, &task);
  slot->status = wl->run_blocking(&task, &value);
  slot->value = value;
}

/* FNV-1a, 64 bit, one byte at a time: short, well known, order-sensitive. */
static uint64_t fnv1a(uint64_t h, uint64_t word) {
  for (int i = 0; i < 8; i++) {
    h ^= (word >> (8 * i)) & 0xff;
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint64_t wl_checksum(const wl_slot *slots, int n) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (int i = 0; i < n; i++) {
    h = fnv1a(h, (uint64_t)i);
    h = fnv1a(h, (uint64_t)slots[i].status);
    h = fnv1a(h, slots[i].value);
  }
  return h;
}
