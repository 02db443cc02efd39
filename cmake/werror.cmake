# SPDX-License-Identifier: BSD-3-Clause
# SEQS_WERROR=OFF (the default for users): every -Werror that a CMakeLists.txt of
# seqs puts on one of its targets is removed here, after all parts were added, so
# each part keeps writing -Werror where it means "our CI treats this as an error".
# tools/test-all.sh configures with -DSEQS_WERROR=ON.
if(SEQS_WERROR)
  return()
endif()
function(seqs_strip_werror dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t ${targets})
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "INTERFACE_LIBRARY" OR type STREQUAL "UTILITY")
      continue()
    endif()
    get_target_property(opts ${t} COMPILE_OPTIONS)
    if(opts)
      list(REMOVE_ITEM opts -Werror)
      set_property(TARGET ${t} PROPERTY COMPILE_OPTIONS "${opts}")
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(d ${subdirs})
    seqs_strip_werror(${d})
  endforeach()
endfunction()
seqs_strip_werror(${PROJECT_SOURCE_DIR})
