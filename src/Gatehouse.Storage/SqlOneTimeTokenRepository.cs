using Gatehouse.Core.Common;
using Gatehouse.Core.Tokens;
using Gatehouse.Storage.Sql;

namespace Gatehouse.Storage;

// A repository of one unit of work (SqlSession). The SQL is the same on SQLite and
// PostgreSQL unless a comment says otherwise; every value is a parameter.

internal sealed class SqlOneTimeTokenRepository(SqlSession db) : IOneTimeTokenRepository
{
    private static readonly EntityMap<OneTimeToken> Map = Maps.OneTimeTokens;

    public void Add(OneTimeToken token) => db.Add(Map, token);

    public Task<OneTimeToken?> FindAsync(string hash, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.None, $"SELECT {Map.Select} FROM one_time_tokens WHERE hash = @p0", [hash], cancellationToken);

    public async Task<bool> TryConsumeAsync(string hash, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await db.ExecuteAsync("UPDATE one_time_tokens SET consumed_at = @p0 WHERE hash = @p1 AND consumed_at IS NULL",
            [now.ToUnixTimeMilliseconds(), hash], cancellationToken) == 1;

    public Task ConsumeAllAsync(string purpose, string userId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        db.ExecuteAsync("UPDATE one_time_tokens SET consumed_at = @p0 WHERE user_id = @p1 AND purpose = @p2 AND consumed_at IS NULL",
            [now.ToUnixTimeMilliseconds(), userId, purpose], cancellationToken);

    public async Task<int> CountIssuedSinceAsync(string purpose, string userId, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        (int)await db.ScalarAsync("SELECT COUNT(*) FROM one_time_tokens WHERE user_id = @p0 AND purpose = @p1 AND created_at >= @p2",
            [userId, purpose, since.ToUnixTimeMilliseconds()], cancellationToken);
}
