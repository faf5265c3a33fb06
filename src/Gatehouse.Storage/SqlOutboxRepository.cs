using Gatehouse.Core.Common;
using Gatehouse.Core.Mail;
using Gatehouse.Storage.Sql;

namespace Gatehouse.Storage;

// A repository of one unit of work (SqlSession). The SQL is the same on SQLite and
// PostgreSQL unless a comment says otherwise; every value is a parameter.

internal sealed class SqlOutboxRepository(SqlSession db) : IOutboxRepository
{
    private static readonly EntityMap<OutboxMessage> Map = Maps.OutboxMessages;

    public void Add(OutboxMessage message) => db.Add(Map, message);

    public async Task<IReadOnlyList<OutboxMessage>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default) =>
        await db.QueryAsync(Map, Tracking.None,
            $"SELECT {Map.Select} FROM outbox_messages WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= @p0 ORDER BY id LIMIT @p1",
            [now.ToUnixTimeMilliseconds(), max], cancellationToken);

    public async Task<bool> TryClaimAsync(long id, int attempts, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
        await db.ExecuteAsync("UPDATE outbox_messages SET attempts = @p0, next_attempt_at = @p1 WHERE id = @p2 AND attempts = @p3 AND sent_at IS NULL",
            [attempts + 1, leaseUntil.ToUnixTimeMilliseconds(), id, attempts], cancellationToken) == 1;

    public Task MarkSentAsync(long id, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        db.ExecuteAsync("UPDATE outbox_messages SET sent_at = @p0, protected_body = '', last_error = NULL WHERE id = @p1",
            [now.ToUnixTimeMilliseconds(), id], cancellationToken);

    public Task MarkFailedAttemptAsync(long id, DateTimeOffset nextAttemptAt, bool giveUp, string error, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        db.ExecuteAsync("UPDATE outbox_messages SET next_attempt_at = @p0, last_error = @p1, failed_at = @p2 WHERE id = @p3",
            [nextAttemptAt.ToUnixTimeMilliseconds(), error.Length > 1000 ? error[..1000] : error, giveUp ? now.ToUnixTimeMilliseconds() : null, id], cancellationToken);
}
