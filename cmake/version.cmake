# Writes OUT (a C header) with the git description of SRC, rewriting it only
# when the description changed, so that a commit rebuilds one file. Outside a
# git checkout (a release tarball, a Debian build) the description is the
# environment's HPSIM_GIT_DESCRIBE, else "none".
execute_process(COMMAND git -C "${SRC}" describe --always --dirty --tags
  OUTPUT_VARIABLE desc OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR desc STREQUAL "")
  if(DEFINED ENV{HPSIM_GIT_DESCRIBE})
    set(desc "$ENV{HPSIM_GIT_DESCRIBE}")
  else()
    set(desc "none")
  endif()
endif()
set(text "#define HPSIM_VERSION \"${VERSION}\"\n#define HPSIM_GIT_DESCRIBE \"${desc}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
