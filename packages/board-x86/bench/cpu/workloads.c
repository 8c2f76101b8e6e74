/*
 * CPU benchmark workloads for the x86 core: the same static binary runs natively and on the
 * emulated core. Usage: workloads <sha256|compress|sort|float> <size>. Each prints a checksum
 * so both runs can be compared.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const uint8_t *p) {
  uint32_t w[64];
  for (int i = 0; i < 16; i++) w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
    uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static uint64_t sha256_bench(size_t kib) {
  static uint8_t block[65536];
  for (size_t i = 0; i < sizeof block; i++) block[i] = (uint8_t)(i * 131 + (i >> 8));
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  for (size_t done = 0; done < kib * 1024; done += 64) sha256_block(h, block + done % sizeof block);
  return (uint64_t)h[0] << 32 | h[7];
}

/* An LZ77-style compressor with a hash table: byte loads, hashing, match search. */
static uint64_t compress_bench(size_t kib) {
  size_t n = kib * 1024;
  uint8_t *input = malloc(n), *output = malloc(n * 2);
  uint32_t *table = calloc(1 << 14, sizeof *table);
  uint32_t seed = 7;
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1103515245 + 12345;
    input[i] = (seed >> 16) % 4 == 0 ? (uint8_t)(seed >> 24) : input[i > 64 ? i - 64 + (seed >> 28) : 0];
  }
  size_t out = 0, i = 0;
  while (i + 4 < n) {
    uint32_t word;
    memcpy(&word, input + i, 4);
    uint32_t hash = (word * 2654435761u) >> 18;
    uint32_t candidate = table[hash];
    table[hash] = (uint32_t)i;
    size_t length = 0;
    while (candidate < i && i + length < n && input[candidate + length] == input[i + length] && length < 255) length++;
    if (length >= 4) {
      output[out++] = 0xff;
      output[out++] = (uint8_t)length;
      output[out++] = (uint8_t)(i - candidate);
      i += length;
    } else {
      output[out++] = input[i++];
    }
  }
  uint64_t sum = out;
  for (size_t k = 0; k < out; k++) sum = sum * 31 + output[k];
  free(input); free(output); free(table);
  return sum;
}

static int compare_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static uint64_t sort_bench(size_t count) {
  uint32_t *values = malloc(count * sizeof *values);
  uint32_t seed = 12345;
  for (size_t i = 0; i < count; i++) values[i] = seed = seed * 1664525 + 1013904223;
  qsort(values, count, sizeof *values, compare_u32);
  uint64_t sum = 0;
  for (size_t i = 0; i < count; i += 97) sum = sum * 3 + values[i];
  free(values);
  return sum;
}

/* N-body style floating-point kernel (SSE2 scalar double). */
static uint64_t float_bench(size_t steps) {
  enum { N = 32 };
  double x[N], y[N], vx[N], vy[N], m[N];
  for (int i = 0; i < N; i++) { x[i] = i * 1.5; y[i] = (i * 7 % 11) * 0.75; vx[i] = vy[i] = 0; m[i] = 1.0 + (i % 3); }
  for (size_t s = 0; s < steps; s++) {
    for (int i = 0; i < N; i++) {
      double ax = 0, ay = 0;
      for (int j = 0; j < N; j++) {
        double dx = x[j] - x[i], dy = y[j] - y[i];
        double d2 = dx * dx + dy * dy + 0.01;
        double inv = m[j] / (d2 * __builtin_sqrt(d2));
        ax += dx * inv; ay += dy * inv;
      }
      vx[i] += ax * 0.001; vy[i] += ay * 0.001;
    }
    for (int i = 0; i < N; i++) { x[i] += vx[i] * 0.001; y[i] += vy[i] * 0.001; }
  }
  double e = 0;
  for (int i = 0; i < N; i++) e += m[i] * (vx[i] * vx[i] + vy[i] * vy[i]) + x[i] * 1e-3;
  return (uint64_t)(e * 1e9);
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  size_t size = strtoul(argv[2], NULL, 10);
  uint64_t result;
  if (strcmp(argv[1], "sha256") == 0) result = sha256_bench(size);
  else if (strcmp(argv[1], "compress") == 0) result = compress_bench(size);
  else if (strcmp(argv[1], "sort") == 0) result = sort_bench(size);
  else if (strcmp(argv[1], "float") == 0) result = float_bench(size);
  else return 2;
  printf("%s %llu\n", argv[1], (unsigned long long)result);
  return 0;
}
