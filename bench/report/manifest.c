/*
 * manifest.c - which files a report was written with (see manifest.h).
 */
#include "manifest.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base.h"
#include "section.h"

/* POSIX cksum: CRC-32 with the polynomial 0x04C11DB7, most significant bit
 * first, starting from 0, over the bytes and then the length (least
 * significant byte first, as few bytes as it needs), complemented. */
static uint32_t crc_byte(uint32_t crc, unsigned char b) {
  crc ^= (uint32_t)b << 24;
  for (int k = 0; k < 8; k++)
    crc = crc & 0x80000000u ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
  return crc;
}

static uint32_t crc_length(uint32_t crc, unsigned long long len) {
  for (; len != 0; len >>= 8)
    crc = crc_byte(crc, (unsigned char)(len & 0xff));
  return ~crc;
}

uint32_t report_cksum(const unsigned char *bytes, size_t len) {
  uint32_t crc = 0;
  for (size_t i = 0; i < len; i++)
    crc = crc_byte(crc, bytes[i]);
  return crc_length(crc, len);
}

int report_cksum_file(const char *path, uint32_t *crc, long long *size) {
  unsigned char buf[65536];
  unsigned long long total = 0;
  uint32_t c = 0;
  size_t n;
  FILE *f = fopen(path, "rb");

  if (f == NULL)
    return -1;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    for (size_t i = 0; i < n; i++)
      c = crc_byte(c, buf[i]);
    total += n;
  }
  if (ferror(f)) {
    fclose(f);
    errno = EIO;
    return -1;
  }
  fclose(f);
  *crc = crc_length(c, total);
  *size = (long long)total;
  return 0;
}

/* A writer's temporary (NAME.tmp.PID) is no file of any run. */
static int listed(const struct dirent *e) {
  return e->d_name[0] != '.' && strstr(e->d_name, ".tmp.") == NULL;
}

/* One subdirectory's rows, sorted by name. */
static void list_dir(FILE *out, const char *dir, const char *sub) {
  char path[BASE_PATH_MAX];
  struct dirent **names;
  int n;

  snprintf(path, sizeof path, "%s/%s", dir, sub);
  n = scandir(path, &names, listed, alphasort);
  if (n < 0) {
    if (errno != ENOENT)
      fprintf(out, "| `%s/` | cannot be listed: %s | |\n", sub,
              strerror(errno));
    return;
  }
  for (int i = 0; i < n; i++) {
    struct stat st;
    uint32_t crc;
    long long size;
    int n = snprintf(path, sizeof path, "%s/%s/%s", dir, sub,
                     names[i]->d_name);
    if (n > 0 && (size_t)n < sizeof path && /* else not ours: skip it */
        stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
        report_cksum_file(path, &crc, &size) == 0)
      fprintf(out, "| `%s/%s` | %lu | %lld |\n", sub, names[i]->d_name,
              (unsigned long)crc, size);
    free(names[i]);
  }
  free(names);
}

void report_manifest_markdown(FILE *out, const char *dir) {
  fputs("## Files of this report\n\n"
        "README.md is written last, in one rename, after every file below. "
        "These are the files it was written with: in this directory, "
        "`cksum FILE` prints the same checksum and size for each. A file "
        "that differs was rewritten by a later run that was stopped before "
        "it wrote its README.md.\n\n"
        "| file | cksum | bytes |\n|---|---:|---:|\n", out);
  list_dir(out, dir, "data");
  list_dir(out, dir, "data/hyperfine");
  list_dir(out, dir, "plots");
  fputs("\n", out);
}

char *report_manifest_section(const char *dir) {
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);

  if (mem == NULL)
    return NULL;
  report_manifest_markdown(mem, dir);
  if (fclose(mem) != 0) {
    free(text);
    return NULL;
  }
  return text;
}

/* The end of README.md: the plots section, then the list of files. */
static int finish_readme(char **doc, const char *old, const char *plots,
                         const char *dir) {
  char *old_plots = plots ? NULL : base_section_get(old, "plots");
  char *files = report_manifest_section(dir);
  int bad = files == NULL;

  if (!bad && (plots != NULL || old_plots != NULL))
    bad = base_section_set(doc, "plots", plots ? plots : old_plots) != 0;
  if (!bad)
    bad = base_section_set(doc, "files", files) != 0;
  free(old_plots);
  free(files);
  return bad ? -1 : 0;
}

int report_compose_readme(const char *dir, const char *plots,
                          report_readme_head *head, const void *arg) {
  char path[BASE_PATH_MAX], *old, *doc;
  int rc;

  snprintf(path, sizeof path, "%s/README.md", dir);
  old = base_section_read(path);
  if (old == NULL && errno != ENOENT) { /* the other command's part */
    fprintf(stderr, "conclab: %s: %s\n", path, strerror(errno));
    return -1;
  }
  doc = head(old, arg);
  if (doc != NULL && finish_readme(&doc, old, plots, dir) != 0) {
    free(doc);
    doc = NULL;
  }
  free(old);
  if (doc == NULL) {
    fprintf(stderr, "conclab: %s: out of memory\n", path);
    return -1;
  }
  rc = base_section_write(path, doc);
  free(doc);
  return rc;
}
