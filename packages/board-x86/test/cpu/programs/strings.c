/* Strings and memory: the SSE2 string functions, qsort, formatted output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
  static char big[100000], copy[100000];
  for (size_t i = 0; i < sizeof big; i++) big[i] = (char)('a' + (i * 7 + i / 13) % 26);
  big[sizeof big - 1] = 0;
  memcpy(copy, big, sizeof big);
  memmove(copy + 3, copy, 5000);
  printf("len %zu cmp %d chr %td\n", strlen(big), memcmp(big, copy, sizeof big) > 0, strchr(big, 'q') - big);
  printf("str %td rchr %td\n", strstr(big, "xyz") ? strstr(big, "xyz") - big : -1, strrchr(big, 'a') - big);
  for (int n = 0; n < 300; n += 17) {
    memset(copy + n, 'Z', (size_t)n);
    printf("%zu ", strlen(copy + n));
  }
  putchar('\n');
  const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "kiwi", "date", "grape", argv[0]};
  qsort(words, sizeof words / sizeof words[0], sizeof words[0], compare);
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) printf("%s%c", words[i], i + 1 < 9 ? ',' : '\n');
  char *joined = malloc(1000);
  joined[0] = 0;
  for (int i = 0; i < 50; i++) {
    char part[16];
    snprintf(part, sizeof part, "%d-", i * i);
    strcat(joined, part);
  }
  printf("%s %zu\n", joined + 100, strlen(joined));
  char *dup = strdup("Hello, Asterism!");
  for (char *p = dup; *p; p++) if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 32);
  printf("%s %d %d\n", dup, strncmp(dup, "HELLO", 5), strcasecmp("abc", "ABD") < 0);
  free(dup);
  free(joined);
  return 0;
}
