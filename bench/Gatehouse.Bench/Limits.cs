using System.Diagnostics;
using System.Security.Claims;
using System.Security.Cryptography;
using Gatehouse.Core.Security;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Bench;

/// <summary>The machine's physical limits for the two costs that bound the workloads.</summary>
internal static class Limits
{
    /// <summary>Argon2id verifications per second at Gatehouse's configured parameters, all cores busy.</summary>
    public static async Task<double> Argon2idPerSecondAsync(TimeSpan duration)
    {
        var hasher = new Argon2idPasswordHasher(Options.Create(new PasswordOptions()));
        var hash = await hasher.HashAsync("bench password for the limit");
        var count = 0L;
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        // Four callers per core: the hasher runs one hash per core at a time, so a hash is
        // always queued when one finishes, as it is in the server under load (with one caller
        // per core, each hashing thread would wait for its caller to queue the next hash).
        await Task.WhenAll(Enumerable.Range(0, Environment.ProcessorCount * 4).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                await hasher.VerifyAsync(hash, "bench password for the limit");
                Interlocked.Increment(ref count);
            }
        })));
        return count / ((Stopwatch.GetTimestamp() - started) / (double)Stopwatch.Frequency);
    }

    /// <summary>ES256 JWT verifications per second (JsonWebTokenHandler, as Gatehouse uses it), all cores busy.</summary>
    public static async Task<double> Es256VerificationsPerSecondAsync(TimeSpan duration)
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = new ECDsaSecurityKey(ec) { KeyId = "bench" };
        var handler = new JsonWebTokenHandler();
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "http://bench",
            Audience = "bench",
            Subject = new ClaimsIdentity([new Claim("sub", "usr_bench"), new Claim("sid", "ses_bench")]),
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256),
        });
        var parameters = new TokenValidationParameters { ValidIssuer = "http://bench", ValidAudience = "bench", IssuerSigningKey = key };
        var count = 0L;
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var result = await handler.ValidateTokenAsync(token, parameters);
                if (!result.IsValid)
                {
                    throw new InvalidOperationException("The benchmark token did not validate.");
                }
                Interlocked.Increment(ref count);
            }
        })));
        return count / ((Stopwatch.GetTimestamp() - started) / (double)Stopwatch.Frequency);
    }
}
