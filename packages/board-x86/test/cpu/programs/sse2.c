/* SSE2 intrinsics: packed integer and floating-point kernels. */
#include <emmintrin.h>
#include <stdint.h>
#include <stdio.h>

int main(void) {
  uint8_t bytes[64];
  for (int i = 0; i < 64; i++) bytes[i] = (uint8_t)(i * 37 + 5);
  __m128i acc = _mm_setzero_si128();
  for (int i = 0; i < 64; i += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(bytes + i));
    acc = _mm_add_epi8(acc, v);
    acc = _mm_xor_si128(acc, _mm_slli_epi64(v, 3));
    acc = _mm_adds_epu8(acc, _mm_srli_si128(v, 5));
    acc = _mm_max_epu8(acc, _mm_min_epu8(v, acc));
  }
  __m128i w = _mm_mullo_epi16(acc, _mm_set1_epi16(31));
  w = _mm_add_epi32(w, _mm_madd_epi16(acc, w));
  w = _mm_sub_epi64(w, _mm_mul_epu32(w, acc));
  w = _mm_packs_epi32(w, _mm_srai_epi32(w, 7));
  w = _mm_packus_epi16(w, _mm_unpackhi_epi8(acc, w));
  __m128i sad = _mm_sad_epu8(acc, w);
  __m128i shuffled = _mm_shuffle_epi32(w, 0x1b);
  shuffled = _mm_shufflehi_epi16(_mm_shufflelo_epi16(shuffled, 0x93), 0x39);
  int mask = _mm_movemask_epi8(_mm_cmpgt_epi8(shuffled, acc)) ^ _mm_movemask_epi8(_mm_cmpeq_epi16(w, acc));
  uint32_t out[4];
  _mm_storeu_si128((__m128i *)out, shuffled);
  printf("%08x %08x %08x %08x mask %04x sad %d %d\n", out[0], out[1], out[2], out[3], mask,
         _mm_extract_epi16(sad, 0), _mm_extract_epi16(sad, 4));
  __m128d a = _mm_set_pd(1.5, -2.25), b = _mm_set_pd(0.1, 3.0);
  __m128d r = _mm_add_pd(_mm_mul_pd(a, b), _mm_div_pd(b, a));
  r = _mm_max_pd(r, _mm_sqrt_pd(_mm_and_pd(r, _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffffLL)))));
  double d[2];
  _mm_storeu_pd(d, r);
  __m128 f = _mm_set_ps(1.0f, 2.0f, 3.0f, 4.0f);
  f = _mm_mul_ps(_mm_add_ps(f, _mm_set1_ps(0.5f)), _mm_div_ps(_mm_set1_ps(1.0f), _mm_set1_ps(0.5f)));
  f = _mm_shuffle_ps(f, _mm_sub_ps(f, _mm_set1_ps(10.0f)), 0xb1);
  float fl[4];
  _mm_storeu_ps(fl, _mm_unpacklo_ps(f, _mm_min_ps(f, _mm_set1_ps(2.0f))));
  __m128i conv = _mm_cvttpd_epi32(_mm_set_pd(-7.9, 123456.7));
  __m128d back = _mm_cvtepi32_pd(_mm_set_epi32(0, 0, -5, 1 << 30));
  _mm_storeu_si128((__m128i *)out, conv);
  printf("%.6f %.6f | %.3f %.3f %.3f %.3f | %d %d | %.1f %.1f | %d\n", d[0], d[1], fl[0], fl[1], fl[2], fl[3],
         (int)out[0], (int)out[1], _mm_cvtsd_f64(back), _mm_cvtsd_f64(_mm_unpackhi_pd(back, back)),
         _mm_movemask_pd(_mm_cmplt_pd(a, b)) | (_mm_comilt_sd(a, b) << 2) | (_mm_ucomige_sd(b, a) << 3));
  return 0;
}
