/* Integer arithmetic: 8..128-bit multiply/divide, shifts, rotates, bit scans, overflow checks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

static volatile int64_t sink;

int main(void) {
  uint64_t checksum = 0;
  for (int i = 0; i < 2000; i++) {
    uint64_t a = next(), b = next() | 1;
    int64_t sa = (int64_t)a, sb = (int64_t)b;
    unsigned __int128 p = (unsigned __int128)a * b;
    __int128 sp = (__int128)sa * sb;
    checksum ^= (uint64_t)(p >> 64) + (uint64_t)p;
    checksum += (uint64_t)(sp >> 64) * 3;
    checksum ^= a / b + a % b;
    if (sb != -1) checksum += (uint64_t)(sa / sb) + (uint64_t)(sa % sb);
    uint32_t a32 = (uint32_t)a, b32 = (uint32_t)b | 1;
    checksum += a32 / b32 + a32 % b32 + (uint32_t)((int32_t)a32 / (int32_t)b32);
    uint16_t a16 = (uint16_t)a, b16 = (uint16_t)(b | 1);
    checksum += (uint16_t)(a16 / b16) + (uint16_t)(a16 * b16);
    uint8_t a8 = (uint8_t)a, b8 = (uint8_t)(b | 1);
    checksum += (uint8_t)(a8 / b8) + (int8_t)a8 / (int8_t)(b8 | 1);
    unsigned s = b & 63;
    checksum += (a << s) ^ (a >> s) ^ (uint64_t)(sa >> s);
    checksum += (a << s) | (a >> ((64 - s) & 63));
    checksum += (uint64_t)__builtin_clzll(a | 1) + (uint64_t)__builtin_ctzll(b) + (uint64_t)__builtin_popcountll(a);
    checksum += __builtin_bswap64(a) ^ __builtin_bswap32(a32);
    int64_t out;
    checksum += __builtin_mul_overflow(sa, sb, &out) ? 1 : (uint64_t)out;
    checksum += __builtin_add_overflow(sa, sb, &out) ? 7 : (uint64_t)out;
    unsigned __int128 q = p / (b | 0x100000000ull);
    checksum += (uint64_t)q ^ (uint64_t)(p % (a | 1));
  }
  printf("checksum %016llx\n", (unsigned long long)checksum);
  printf("%d %u %ld %lu %lld %llx %o\n", -12345, 4000000000u, -9000000000000000000L, 18000000000000000000UL,
         (long long)-1, 0xdeadbeefcafebabeULL, 0777);
  char buffer[64];
  snprintf(buffer, sizeof buffer, "%+08d|%-6x|%#llo", 42, 255, 511ULL);
  puts(buffer);
  sink = strtoll("-987654321012345", NULL, 10);
  printf("%lld %ld\n", (long long)sink, labs(-77L));
  return 3;
}
