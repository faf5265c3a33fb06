using Gatehouse.Core.Common;
using Gatehouse.Core.Tokens;
using Gatehouse.Server.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Tokens;

/// <summary>
/// Access tokens as JWTs (RFC 9068 profile: <c>typ</c> at+jwt; claims iss sub aud exp iat jti
/// sid, plus roles, team, generation and second-factor state). Lifetime is checked against the
/// injected <see cref="TimeProvider"/>, not the wall clock.
/// </summary>
internal sealed class JwtAccessTokenService(SigningKeyManager keys, TimeProvider time, IOptions<GatehouseOptions> options) : IAccessTokenService
{
    internal const string TokenType = "at+jwt";
    private const int MaxCachedTokens = 20_000;
    private readonly JsonWebTokenHandler _handler = new();

    // Tokens whose signature was verified, keyed by a 128-bit prefix of their SHA-256: a
    // signature check costs ~90 µs of CPU (ES256), a lookup well under 1 µs. A token's
    // signature never changes, so caching the check is safe; expiry is still checked on every
    // read against the clock, and revocation by the session check that follows.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<UInt128, AccessTokenClaims> _verified = new();

    private string Issuer => options.Value.PublicBaseUrl.TrimEnd('/');

    public async ValueTask PrepareAsync(CancellationToken cancellationToken = default) => await keys.GetAsync(cancellationToken);

    public async ValueTask<IssuedAccessToken> IssueAsync(AccessTokenDescriptor d, CancellationToken cancellationToken = default)
    {
        var keySet = await keys.GetAsync(cancellationToken);
        var jti = SecureTokens.New(16);
        var token = keySet.Current.Sign((Descriptor: d, Jti: jti, Issuer), static (json, s) =>
        {
            var d = s.Descriptor;
            json.WriteString(JwtRegisteredClaimNames.Sub, d.Subject);
            json.WriteString(JwtRegisteredClaimNames.Jti, s.Jti);
            json.WriteString("sid", d.SessionId);
            json.WriteNumber("gen", d.Generation);
            json.WriteNumber("num", d.UserNumber);
            json.WriteString("srf", d.Surface);
            json.WriteStartArray("roles");
            foreach (var role in d.Roles)
            {
                json.WriteStringValue(role);
            }
            json.WriteEndArray();
            if (d.TeamId is not null)
            {
                json.WriteString("team", d.TeamId);
            }
            if (d.SecondFactorPending)
            {
                json.WriteBoolean("2fa_pending", true);
            }
            json.WriteString(JwtRegisteredClaimNames.Iss, s.Issuer);
            json.WriteString(JwtRegisteredClaimNames.Aud, d.Audience);
            json.WriteNumber(JwtRegisteredClaimNames.Exp, d.ExpiresAt.ToUnixTimeSeconds());
            json.WriteNumber(JwtRegisteredClaimNames.Iat, d.IssuedAt.ToUnixTimeSeconds());
            json.WriteNumber(JwtRegisteredClaimNames.Nbf, d.IssuedAt.ToUnixTimeSeconds());
        });
        return new IssuedAccessToken(token, jti, DateTimeOffset.FromUnixTimeSeconds(d.ExpiresAt.ToUnixTimeSeconds()));
    }

    public async ValueTask<AccessTokenReadResult> ReadAsync(string token, CancellationToken cancellationToken = default)
    {
        if (token.Length > 8192)
        {
            return AccessTokenReadResult.Invalid;
        }
        var cacheKey = CacheKey(token);
        if (_verified.TryGetValue(cacheKey, out var known))
        {
            return new AccessTokenReadResult(known.ExpiresAt <= time.GetUtcNow() ? AccessTokenStatus.Expired : AccessTokenStatus.Valid, known);
        }
        if (!_handler.CanReadToken(token))
        {
            return AccessTokenReadResult.Invalid;
        }
        var keySet = await keys.GetAsync(cancellationToken);
        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return AccessTokenReadResult.Invalid;
        }
        if (jwt.Kid is { } kid && !keySet.Published.ContainsKey(kid))
        {
            keySet = await keys.ReloadAsync(cancellationToken);
        }
        var result = await _handler.ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidateAudience = false,
            // Lifetime is checked below with the injected clock.
            ValidateLifetime = false,
            IssuerSigningKeys = keySet.Published.Values,
            ValidTypes = [TokenType],
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256],
            RequireSignedTokens = true,
        });
        if (!result.IsValid)
        {
            return AccessTokenReadResult.Invalid;
        }
        AccessTokenClaims claims;
        try
        {
            claims = new AccessTokenClaims(
                jwt.Subject,
                jwt.GetClaim("num").Value is { } num ? long.Parse(num, System.Globalization.CultureInfo.InvariantCulture) : 0,
                jwt.GetClaim("sid").Value,
                long.Parse(jwt.GetClaim("gen").Value, System.Globalization.CultureInfo.InvariantCulture),
                jwt.Audiences.FirstOrDefault() ?? "",
                jwt.TryGetClaim("srf", out var surface) ? surface.Value : "native",
                jwt.Claims.Where(c => c.Type == "roles").Select(c => c.Value).ToList(),
                jwt.TryGetClaim("team", out var team) ? team.Value : null,
                jwt.TryGetClaim("2fa_pending", out var pending) && pending.Value == "true",
                jwt.Id,
                new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero),
                new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or InvalidOperationException)
        {
            return AccessTokenReadResult.Invalid;
        }
        if (_verified.Count >= MaxCachedTokens)
        {
            _verified.Clear();
        }
        _verified[cacheKey] = claims;
        return new AccessTokenReadResult(claims.ExpiresAt <= time.GetUtcNow() ? AccessTokenStatus.Expired : AccessTokenStatus.Valid, claims);
    }

    private static UInt128 CacheKey(string token)
    {
        Span<byte> hash = stackalloc byte[32];
        var length = System.Text.Encoding.UTF8.GetByteCount(token);
        Span<byte> utf8 = length <= 2048 ? stackalloc byte[length] : new byte[length];
        System.Text.Encoding.UTF8.GetBytes(token, utf8);
        System.Security.Cryptography.SHA256.HashData(utf8, hash);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    /// <summary>For the JWKS document.</summary>
    public async ValueTask<IReadOnlyList<string>> PublicJwksAsync(CancellationToken cancellationToken = default) =>
        (await keys.GetAsync(cancellationToken)).PublicJwks;

}
