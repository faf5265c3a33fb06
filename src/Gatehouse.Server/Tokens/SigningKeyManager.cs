using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Common;
using Gatehouse.Core.Tokens;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Tokens;

/// <summary>
/// The signing keys: generated on first start, kept in the database with the private key
/// encrypted, replaced every <see cref="TokenOptions.SigningKeyRotation"/>, and published
/// until the last token they signed has expired.
/// </summary>
internal sealed partial class SigningKeyManager(
    ISigningKeyRepository repository,
    ISecretProtector protector,
    TimeProvider time,
    IOptions<TokenOptions> options,
    ILogger<SigningKeyManager> logger)
{
    private static readonly TimeSpan ReloadInterval = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile KeySet? _keys;

    /// <summary>The keys in use, and when they were loaded.</summary>
    internal sealed record KeySet(
        DateTimeOffset LoadedAt,
        JwsSigner Current,
        DateTimeOffset CurrentRetiresAt,
        IReadOnlyDictionary<string, SecurityKey> Published,
        IReadOnlyList<string> PublicJwks);

    public async ValueTask<KeySet> GetAsync(CancellationToken cancellationToken = default)
    {
        var keys = _keys;
        var now = time.GetUtcNow();
        if (keys is not null && now - keys.LoadedAt < ReloadInterval && keys.CurrentRetiresAt > now)
        {
            return keys;
        }
        return await LoadAsync(force: false, cancellationToken);
    }

    /// <summary>Reloads now (another instance may have rotated: a token names a kid we lack).</summary>
    public async ValueTask<KeySet> ReloadAsync(CancellationToken cancellationToken = default) => await LoadAsync(force: true, cancellationToken);

    private async Task<KeySet> LoadAsync(bool force, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (!force && _keys is { } fresh && now - fresh.LoadedAt < ReloadInterval && fresh.CurrentRetiresAt > now)
            {
                return fresh;
            }
            var stored = await repository.ListPublishedAsync(now, cancellationToken);
            var algorithm = options.Value.SigningAlgorithm;
            var current = stored.Where(k => k.Algorithm == algorithm && k.RetiresAt > now).OrderByDescending(k => k.CreatedAt).FirstOrDefault();
            if (current is null)
            {
                current = Create(algorithm, now);
                await repository.AddAsync(current, cancellationToken);
                stored = [.. stored, current];
                LogCreated(logger, current.KeyId, algorithm);
            }
            var published = new Dictionary<string, SecurityKey>(StringComparer.Ordinal);
            foreach (var key in stored)
            {
                published[key.KeyId] = ToSecurityKey(key, withPrivate: false);
            }
            var keys = new KeySet(
                now,
                new JwsSigner(ToSecurityKey(current, withPrivate: true), current.Algorithm, JwtAccessTokenService.TokenType),
                current.RetiresAt,
                published,
                stored.Select(k => k.PublicJwk).ToList());
            _keys = keys;
            return keys;
        }
        finally
        {
            _lock.Release();
        }
    }

    private SigningKey Create(string algorithm, DateTimeOffset now)
    {
        var rotation = options.Value.SigningKeyRotation;
        // Published until every token it may sign has expired, with a day's margin.
        var publishFor = rotation + options.Value.AccessTokenLifetime + TimeSpan.FromDays(1);
        var kid = SecureTokens.New(12);
        JsonObject jwk;
        byte[] pkcs8;
        if (algorithm == SecurityAlgorithms.RsaSha256)
        {
            using var rsa = RSA.Create(2048);
            var p = rsa.ExportParameters(false);
            jwk = new JsonObject { ["kty"] = "RSA", ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent) };
            pkcs8 = rsa.ExportPkcs8PrivateKey();
        }
        else
        {
            using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var p = ec.ExportParameters(false);
            jwk = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(p.Q.X), ["y"] = Base64UrlEncoder.Encode(p.Q.Y) };
            pkcs8 = ec.ExportPkcs8PrivateKey();
        }
        jwk["kid"] = kid;
        jwk["use"] = "sig";
        jwk["alg"] = algorithm;
        var key = new SigningKey
        {
            KeyId = kid,
            Algorithm = algorithm,
            PublicJwk = jwk.ToJsonString(),
            ProtectedPrivateKey = protector.Protect(Convert.ToBase64String(pkcs8)),
            CreatedAt = now,
            RetiresAt = now + rotation,
            ExpiresAt = now + publishFor,
        };
        CryptographicOperations.ZeroMemory(pkcs8);
        return key;
    }

    private SecurityKey ToSecurityKey(SigningKey key, bool withPrivate)
    {
        if (withPrivate)
        {
            var pkcs8 = Convert.FromBase64String(protector.Unprotect(key.ProtectedPrivateKey));
            try
            {
                if (key.Algorithm == SecurityAlgorithms.RsaSha256)
                {
                    var rsa = RSA.Create();
                    rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                    return new RsaSecurityKey(rsa) { KeyId = key.KeyId };
                }
                var ec = ECDsa.Create();
                ec.ImportPkcs8PrivateKey(pkcs8, out _);
                return new ECDsaSecurityKey(ec) { KeyId = key.KeyId };
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }
        using var doc = JsonDocument.Parse(key.PublicJwk);
        var root = doc.RootElement;
        if (key.Algorithm == SecurityAlgorithms.RsaSha256)
        {
            var rsa = RSA.Create();
            rsa.ImportParameters(new RSAParameters
            {
                Modulus = Base64UrlEncoder.DecodeBytes(root.GetProperty("n").GetString()),
                Exponent = Base64UrlEncoder.DecodeBytes(root.GetProperty("e").GetString()),
            });
            return new RsaSecurityKey(rsa) { KeyId = key.KeyId };
        }
        var ecPublic = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = Base64UrlEncoder.DecodeBytes(root.GetProperty("x").GetString()),
                Y = Base64UrlEncoder.DecodeBytes(root.GetProperty("y").GetString()),
            },
        });
        return new ECDsaSecurityKey(ecPublic) { KeyId = key.KeyId };
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Created signing key {KeyId} ({Algorithm}).")]
    private static partial void LogCreated(ILogger logger, string keyId, string algorithm);
}
