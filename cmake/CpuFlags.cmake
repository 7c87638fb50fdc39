# simdjson's On Demand parser picks its SIMD kernel when we compile, not at run time:
# without these flags it falls back to its portable, several times slower kernel.
# x86-64-v3 (AVX2, BMI, 2013 and later) selects the "haswell" kernel; override with
# -DEVENTLINE_CPU_FLAGS="" for an older CPU.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    set(EVENTLINE_CPU_FLAGS "-march=x86-64-v3;-mpclmul" CACHE STRING "CPU flags for SIMD parsing")
else()
    set(EVENTLINE_CPU_FLAGS "" CACHE STRING "CPU flags for SIMD parsing")
endif()
add_compile_options(${EVENTLINE_CPU_FLAGS})
