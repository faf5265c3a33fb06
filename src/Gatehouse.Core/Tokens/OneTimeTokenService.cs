using Gatehouse.Core.Common;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Tokens;

/// <summary>
/// Emailed tokens: 256-bit random, stored as SHA-256, bound to one purpose and one user or
/// address, single-use, with an expiry per purpose.
/// </summary>
public sealed class OneTimeTokenService(IOneTimeTokenRepository tokens, TimeProvider time, IOptions<TokenOptions> options)
{
    /// <summary>Adds a token to the current unit of work and returns its raw value (to be emailed, never stored).</summary>
    public string Issue(string purpose, string? userId, string? email, string? payload = null, TimeSpan? lifetime = null)
    {
        var raw = SecureTokens.New();
        var now = time.GetUtcNow();
        tokens.Add(new OneTimeToken
        {
            Hash = SecureTokens.Hash(raw),
            Purpose = purpose,
            UserId = userId,
            Email = email,
            Payload = payload,
            CreatedAt = now,
            ExpiresAt = now + (lifetime ?? options.Value.LifetimeOf(purpose)),
        });
        return raw;
    }

    /// <summary>Looks a token up without using it: invalid, expired or used tokens are errors.</summary>
    public async Task<Result<OneTimeToken>> PeekAsync(string purpose, string? raw, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(raw) || raw.Length > 512)
        {
            return CoreErrors.InvalidToken;
        }
        var token = await tokens.FindAsync(SecureTokens.Hash(raw), cancellationToken);
        // The lookup is by hash, so comparing purposes leaks nothing about the secret.
        if (token is null || !string.Equals(token.Purpose, purpose, StringComparison.Ordinal))
        {
            return CoreErrors.InvalidToken;
        }
        if (token.ConsumedAt is not null)
        {
            return CoreErrors.UsedToken;
        }
        if (token.ExpiresAt <= time.GetUtcNow())
        {
            return CoreErrors.ExpiredToken;
        }
        return token;
    }

    /// <summary>Checks and uses up a token; of two concurrent redemptions exactly one succeeds.</summary>
    public async Task<Result<OneTimeToken>> RedeemAsync(string purpose, string? raw, CancellationToken cancellationToken = default)
    {
        var peeked = await PeekAsync(purpose, raw, cancellationToken);
        if (!peeked.Succeeded)
        {
            return peeked;
        }
        var token = peeked.Value;
        if (!await tokens.TryConsumeAsync(token.Hash, time.GetUtcNow(), cancellationToken))
        {
            return CoreErrors.UsedToken;
        }
        return token;
    }

    public Task ConsumeAllAsync(string purpose, string userId, CancellationToken cancellationToken = default) =>
        tokens.ConsumeAllAsync(purpose, userId, time.GetUtcNow(), cancellationToken);

    /// <summary>True when another token of this purpose may be emailed to the user within the per-account hourly limit.</summary>
    public async Task<bool> MaySendAsync(string purpose, string userId, int perHour, CancellationToken cancellationToken = default) =>
        await tokens.CountIssuedSinceAsync(purpose, userId, time.GetUtcNow() - TimeSpan.FromHours(1), cancellationToken) < perHour;
}
