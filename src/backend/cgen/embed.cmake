# Generated kernels are self-contained sources: the texts they start with (the
# header-free prelude and kernel/scalar_math.hpp, where the scalar math lives once) are
# embedded into the library at build time. Included from the top-level CMakeLists.txt.
set(_theon_embed_prelude ${CMAKE_CURRENT_SOURCE_DIR}/src/backend/cgen/prelude/mini_std.hpp)
set(_theon_embed_math ${CMAKE_CURRENT_SOURCE_DIR}/include/theon/kernel/scalar_math.hpp)
set(_theon_embed_output ${CMAKE_CURRENT_BINARY_DIR}/generated/cgen_embedded.cpp)
add_custom_command(
  OUTPUT ${_theon_embed_output}
  COMMAND ${CMAKE_COMMAND} -DOUT=${_theon_embed_output}
          -DPRELUDE=${_theon_embed_prelude} -DMATH=${_theon_embed_math}
          -P ${CMAKE_CURRENT_SOURCE_DIR}/src/backend/cgen/embed_text.cmake
  DEPENDS ${_theon_embed_prelude} ${_theon_embed_math} ${CMAKE_CURRENT_SOURCE_DIR}/src/backend/cgen/embed_text.cmake
  COMMENT "Embedding the generated-kernel prelude" VERBATIM)
target_sources(theon PRIVATE ${_theon_embed_output})
