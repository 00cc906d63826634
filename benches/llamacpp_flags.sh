# Sourced by benches/compare_llamacpp.sh and scripts/setup-reference-env.sh: the cmake flags
# that build llama.cpp for one x86 instruction-set level, never GGML_NATIVE and never AMX (AMX
# instructions crash on our VMs, and -march=native would pick them up).
#
#   LLAMACPP_ISA=host    (default) what this CPU has: AVX-512 (F, BW, VL, VNNI, BF16) when every one
#                        of those is present, else AVX2 + FMA + F16C. A build with AVX-512 flags
#                        dies with SIGILL on an AVX2-only machine, so the level is never assumed.
#   LLAMACPP_ISA=avx2    AVX2 + FMA + F16C only, also on an AVX-512 machine: with HIRELM_KERNEL=avx2
#                        on hirelm's side this compares both engines as an AVX2-only CPU runs them.
#
# Sets: llamacpp_isa (avx2 or avx512) and the array llamacpp_cmake_flags.

cpu_flags="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)"
has_cpu_flag() { [[ " ${cpu_flags#*:} " == *" $1 "* ]]; }

llamacpp_isa="${LLAMACPP_ISA:-host}"
if [ "$llamacpp_isa" = host ]; then
  llamacpp_isa=avx2
  if has_cpu_flag avx512f && has_cpu_flag avx512bw && has_cpu_flag avx512vl && has_cpu_flag avx512_vnni \
      && has_cpu_flag avx512_bf16; then
    llamacpp_isa=avx512
  fi
fi
case "$llamacpp_isa" in
  avx2 | avx512) ;;
  *) echo "llamacpp_flags: LLAMACPP_ISA=$llamacpp_isa is not one of host, avx2, avx512" >&2; exit 2 ;;
esac
if ! has_cpu_flag avx2 || ! has_cpu_flag fma || ! has_cpu_flag f16c; then
  echo "llamacpp_flags: this CPU lacks AVX2, FMA or F16C; the llama.cpp reference needs them" >&2
  exit 2
fi

llamacpp_cmake_flags=(
  -DCMAKE_BUILD_TYPE=Release
  -DGGML_NATIVE=OFF
  -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
  -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
)
if [ "$llamacpp_isa" = avx512 ]; then
  llamacpp_cmake_flags+=(-DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON)
else
  # AVX-VNNI (the 256-bit form) is off too: AMD's AVX2 machines have none.
  llamacpp_cmake_flags+=(-DGGML_AVX512=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF -DGGML_AVX_VNNI=OFF)
fi
