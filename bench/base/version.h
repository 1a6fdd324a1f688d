/*
 * version.h - which conclab wrote a file, and which layout it has.
 *
 * A reader that meets a file from a newer conclab must say so, not
 * misread it: every JSON document conclab writes (summary.json, lab.json,
 * the data/hyperfine files, a trace, the `run --json` line) carries "schema"
 * (the layout's number, raised when a field changes meaning or goes) and
 * "conclab_version"; readers check the schema before anything else.
 */
#ifndef CONCLAB_VERSION_H
#define CONCLAB_VERSION_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* The layout of conclab's JSON files. */
#define BASE_SCHEMA 1

/* The project's version (CMake's PROJECT_VERSION), e.g. "0.1.0". */
const char *base_version(void);
/* The git commit this binary was built from ("unknown ..." outside a
 * checkout), stamped at build time. */
const char *base_build_commit(void);
/* The source tree this binary was built from (CMake's source directory):
 * where a build finds the files it did not compile, such as python/. */
const char *base_source_dir(void);

/* Add "schema" and "conclab_version" to obj. */
void base_json_stamp(cJSON *obj);

/* 0 if doc's "schema" is one this conclab reads: BASE_SCHEMA, or none at
 * all (files written before the stamp, in the same layout).  Else -1 and
 * why, e.g. "schema 2 (conclab 0.3.0); this conclab 0.1.0 reads schema
 * 1". */
int base_json_schema_check(const cJSON *doc, char *why, size_t cap);

#endif
