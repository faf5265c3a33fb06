using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gatehouse.Core.Common;
using Gatehouse.Core.Tokens;

namespace Gatehouse.Core.Tests.Fakes;

/// <summary>
/// A fake of the access-token port: <c>fake.&lt;claims&gt;.&lt;HMAC-SHA256&gt;</c>, signed with a
/// key of its own, so a token it did not issue or one changed after issue reads as invalid, and
/// one past its expiry as expired with its claims. The real JWT service is tested in
/// Server.Tests; this one only has to keep the port's promises.
/// </summary>
internal sealed class FakeAccessTokenService(TimeProvider time) : IAccessTokenService
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private int _prepared;
    private int _issued;

    public int Prepared => _prepared;

    public int Issued => _issued;

    public ValueTask PrepareAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _prepared);
        return ValueTask.CompletedTask;
    }

    public ValueTask<IssuedAccessToken> IssueAsync(AccessTokenDescriptor d, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _issued);
        var jwtId = SecureTokens.NewId("jti");
        string[] fields =
        [
            d.Subject, Number(d.UserNumber), d.SessionId, Number(d.Generation), d.Audience, d.Surface, string.Join(' ', d.Roles),
            d.TeamId is null ? "" : "t" + d.TeamId, d.SecondFactorPending ? "1" : "0", jwtId,
            Number(d.IssuedAt.ToUnixTimeMilliseconds()), Number(d.ExpiresAt.ToUnixTimeMilliseconds()),
        ];
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join('\n', fields)));
        return ValueTask.FromResult(new IssuedAccessToken($"fake.{payload}.{Sign(payload)}", jwtId, d.ExpiresAt));
    }

    public ValueTask<AccessTokenReadResult> ReadAsync(string token, CancellationToken cancellationToken = default)
    {
        var parts = token.Split('.');
        if (parts is not ["fake", var payload, var signature] || !SecureTokens.FixedTimeEquals(Sign(payload), signature))
        {
            return ValueTask.FromResult(AccessTokenReadResult.Invalid);
        }
        var f = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(payload)).Split('\n');
        var claims = new AccessTokenClaims(
            f[0], long.Parse(f[1], CultureInfo.InvariantCulture), f[2], long.Parse(f[3], CultureInfo.InvariantCulture), f[4], f[5],
            f[6].Length == 0 ? [] : f[6].Split(' '), f[7].Length == 0 ? null : f[7][1..], f[8] == "1", f[9],
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(f[10], CultureInfo.InvariantCulture)),
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(f[11], CultureInfo.InvariantCulture)));
        var status = claims.ExpiresAt <= time.GetUtcNow() ? AccessTokenStatus.Expired : AccessTokenStatus.Valid;
        return ValueTask.FromResult(new AccessTokenReadResult(status, claims));
    }

    private string Sign(string payload) => Base64Url.EncodeToString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(payload)));

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
