# Writes OUT (a header) with the git commit of SRC as CONCLAB_BUILD_COMMIT,
# run at every build: `conclab --version` names the commit it was built
# from, also once installed or when the tree has moved on.  The file is
# rewritten only when the commit changes, so nothing rebuilds otherwise.
execute_process(COMMAND git -C "${SRC}" rev-parse --short=12 HEAD
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE rc ERROR_QUIET)
if(NOT rc EQUAL 0 OR commit STREQUAL "")
  set(commit "unknown (not built from a git checkout)")
else()
  execute_process(COMMAND git -C "${SRC}" status --porcelain
                          --untracked-files=no
                  OUTPUT_VARIABLE dirty OUTPUT_STRIP_TRAILING_WHITESPACE
                  ERROR_QUIET)
  if(NOT dirty STREQUAL "")
    set(commit "${commit} (with uncommitted changes)")
  endif()
endif()
set(text "#define CONCLAB_BUILD_COMMIT \"${commit}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE "${OUT}" "${text}")
endif()
