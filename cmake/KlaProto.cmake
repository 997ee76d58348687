# kla_proto_library(<target> PROTOS <files relative to ROOT> [ROOT <dir>]
#                   [GRPC] [DEPS <targets>])
# Generates C++ (and gRPC, with GRPC) code into ${KLA_GEN_DIR} keeping the
# proto's import path, so "kla/type/v1/region.pb.h" is what code includes.
# A plain custom command rather than protobuf_generate(), whose output paths
# in CMake 3.25 depend on where the calling CMakeLists.txt lives.
set(KLA_GEN_DIR ${CMAKE_BINARY_DIR}/gen)
file(MAKE_DIRECTORY ${KLA_GEN_DIR})
set(KLA_PROTO_IMPORT_DIRS
  ${PROJECT_SOURCE_DIR}/proto
  ${KLA_GOOGLEAPIS_DIR}
  ${KLA_GRPC_PROTO_DIR})
find_program(KLA_GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)

function(kla_proto_library target)
  cmake_parse_arguments(ARG "GRPC" "ROOT" "PROTOS;DEPS" ${ARGN})
  if(NOT ARG_ROOT)
    set(ARG_ROOT ${PROJECT_SOURCE_DIR}/proto)
  endif()
  set(include_flags)
  foreach(dir IN LISTS KLA_PROTO_IMPORT_DIRS)
    list(APPEND include_flags -I${dir})
  endforeach()
  set(srcs)
  foreach(rel IN LISTS ARG_PROTOS)
    string(REGEX REPLACE "\\.proto$" "" stem ${rel})
    set(outs ${KLA_GEN_DIR}/${stem}.pb.cc ${KLA_GEN_DIR}/${stem}.pb.h)
    set(args --cpp_out=${KLA_GEN_DIR})
    if(ARG_GRPC)
      list(APPEND outs ${KLA_GEN_DIR}/${stem}.grpc.pb.cc ${KLA_GEN_DIR}/${stem}.grpc.pb.h)
      list(APPEND args --grpc_out=${KLA_GEN_DIR} --plugin=protoc-gen-grpc=${KLA_GRPC_CPP_PLUGIN})
    endif()
    add_custom_command(
      OUTPUT ${outs}
      COMMAND protobuf::protoc ${include_flags} ${args} ${ARG_ROOT}/${rel}
      DEPENDS ${ARG_ROOT}/${rel} protobuf::protoc
      COMMENT "protoc ${rel}"
      VERBATIM)
    list(APPEND srcs ${outs})
  endforeach()
  add_library(${target} STATIC ${srcs})
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf ${ARG_DEPS})
  if(ARG_GRPC)
    target_link_libraries(${target} PUBLIC gRPC::grpc++)
  endif()
  target_include_directories(${target} PUBLIC ${KLA_GEN_DIR})
  # Generated code is not ours to keep warning-free.
  target_compile_options(${target} PRIVATE -w)
endfunction()
