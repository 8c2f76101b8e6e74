/* Floating point through printf: double and long double (x87), float math, conversions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static volatile double vd = 3.14159265358979;
static volatile float vf = 2.5f;

int main(void) {
  printf("%f %e %g %.17g %a\n", vd, vd * 1e100, vd / 1e7, 0.1, 1.0 / 3);
  printf("%.3f %.0f %10.4f %-10.2e|\n", -2.0005, 2.5, 1e6 / 7, 6.02214076e23);
  printf("%Lf %Le %.10Lg\n", (long double)vd, (long double)1e300, (long double)0.375);
  printf("%f %f %f %f\n", sqrt(vd), floor(-vd), ceil(vd), fabs(-vd));
  printf("%f %f %f\n", fmod(10.0, vd), trunc(-7.9), round(2.5));
  printf("%f %g %g\n", (double)vf * 3, (double)(vf / 3.0f), (double)sqrtf(vf));
  printf("%d %ld %u\n", (int)(vd * 1000), (long)(-vd * 1e12), (unsigned)(vd * 1e9));
  printf("%g %g %g %g\n", 1.0 / 0.0, -1.0 / 0.0, (double)NAN, 0.0 * -1.0);
  double acc = 0;
  for (int i = 1; i < 1000; i++) acc += 1.0 / ((double)i * i);
  printf("%.15f\n", acc);
  long double lacc = 0;
  for (int i = 1; i < 100; i++) lacc += (long double)i * 0.5L;
  printf("%.4Lf %Lg\n", lacc, (long double)(1u << 30) * 4);
  volatile long double third = 1.0L / 3, root = sqrtl(2.0L);
  printf("%.20Lg %.20Lg %.18Le %Lg\n", third, root, third * root - 0.25L, (long double)(1ULL << 63) + 1025);
  printf("%.25Lf %lld %Lg\n", 1.0L / 7, (long long)(third * 1e18L), strtold("1.2345678901234567890123", NULL));
  printf("%s\n", strtod("1.5e3", NULL) == 1500.0 ? "strtod ok" : "strtod bad");
  printf("%.6f %.6f\n", atof("-0.125"), (double)(float)(1.0 / 3.0));
  return 0;
}
