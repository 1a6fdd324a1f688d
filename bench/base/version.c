/*
 * version.c - the version and the schema stamp (see version.h).
 */
#include "version.h"

#include <stdio.h>

#include "build_commit.h" /* written at each build: cmake/commit.cmake */
#include "json.h"

const char *base_version(void) { return CONCLAB_VERSION; }

const char *base_source_dir(void) { return CONCLAB_SOURCE_DIR; }

const char *base_build_commit(void) { return CONCLAB_BUILD_COMMIT; }

void base_json_stamp(cJSON *obj) {
  base_json_add_int(obj, "schema", BASE_SCHEMA);
  base_json_need(cJSON_AddStringToObject(obj, "conclab_version",
                                         base_version()));
}

int base_json_schema_check(const cJSON *doc, char *why, size_t cap) {
  const cJSON *schema = cJSON_GetObjectItemCaseSensitive(doc, "schema");
  const cJSON *by = cJSON_GetObjectItemCaseSensitive(doc, "conclab_version");
  char from[80] = "";

  if (!cJSON_IsObject(doc)) {
    snprintf(why, cap, "not a JSON object");
    return -1;
  }
  if (schema == NULL)
    return 0;
  if (cJSON_IsNumber(schema) && schema->valuedouble == BASE_SCHEMA)
    return 0;
  if (cJSON_IsString(by))
    snprintf(from, sizeof from, " (conclab %.60s)", by->valuestring);
  if (cJSON_IsNumber(schema))
    snprintf(why, cap, "schema %g%s; this conclab %s reads schema %d",
             schema->valuedouble, from, base_version(), BASE_SCHEMA);
  else
    snprintf(why, cap, "\"schema\" is not a number; this conclab %s reads "
             "schema %d", base_version(), BASE_SCHEMA);
  return -1;
}
