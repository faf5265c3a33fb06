using Gatehouse.Core.Security;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Tests.Security;

internal static class TestHashers
{
    /// <summary>Small Argon2id parameters (1 MiB, 1 pass) so tests stay fast; never for production.</summary>
    public static Argon2idPasswordHasher Fast(int memoryKiB = 1024, int iterations = 1, int concurrency = 0) =>
        new(Options.Create(new PasswordOptions
        {
            Argon2MemoryKiB = memoryKiB,
            Argon2Iterations = iterations,
            HashingConcurrency = concurrency,
        }));
}
