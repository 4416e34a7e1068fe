/* A stand-in for Windows' bcryptprimitives.dll, for the Windows lane's Wine prefix only (never shipped).
 * The Rust standard library since 1.78 (cryptography's _rust.pyd) imports ProcessPrng from bcryptprimitives.dll,
 * which Windows 10 and 11 have and Wine has only from 8.13 on; Debian 12's Wine 8.0 lacks it. This gives the
 * same contract (fill the buffer with random bytes, never fail) from RtlGenRandom (SystemFunction036). */
#include <windows.h>
#define SystemFunction036 NTAPI SystemFunction036
#include <ntsecapi.h>
#undef SystemFunction036

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
  while (size) {
    ULONG chunk = size > 0x10000000 ? 0x10000000 : (ULONG)size;
    if (!RtlGenRandom(data, chunk)) return FALSE;
    data += chunk;
    size -= chunk;
  }
  return TRUE;
}
