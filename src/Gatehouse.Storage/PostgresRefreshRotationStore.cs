using System.Data.Common;
using Gatehouse.Core.Common;
using Gatehouse.Storage.Sql;

namespace Gatehouse.Storage;

/// <summary>
/// PostgreSQL: the snapshot is read on a pooled connection, and a rotation the plan asks for is
/// its own short transaction of conditional statements. The session row is updated first, so
/// its row lock is taken in the same order as the locked path takes it (no deadlock between
/// the two).
/// </summary>
internal sealed class PostgresRefreshRotationStore(DatabaseConnections connections, DetachedReads reads) : IRefreshRotationStore
{
    public Task<RefreshSnapshot?> FindAsync(string hash, CancellationToken cancellationToken = default) =>
        RefreshSnapshotQuery.FindAsync(reads, hash, cancellationToken);

    public async Task<RotationAttempt> RotateAsync(string hash, Func<RefreshSnapshot, RefreshRotation?> plan, CancellationToken cancellationToken = default)
    {
        var snapshot = await FindAsync(hash, cancellationToken);
        var rotation = snapshot is null ? null : plan(snapshot);
        return new RotationAttempt(snapshot, rotation is not null && await TryRotateAsync(rotation, cancellationToken) ? rotation : null);
    }

    private async Task<bool> TryRotateAsync(RefreshRotation rotation, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var now = rotation.Now.ToUnixTimeMilliseconds();
        var successor = rotation.Successor;
        if (await ExecuteAsync(connection, transaction, "UPDATE sessions SET generation = @p0, last_seen_at = @p1 WHERE id = @p2 AND generation = @p3 AND ended_at IS NULL",
                [rotation.ExpectedGeneration + 1, now, rotation.SessionId, rotation.ExpectedGeneration], cancellationToken) != 1
            || await ExecuteAsync(connection, transaction, "UPDATE refresh_tokens SET consumed_at = @p0, sealed_successor = @p1 WHERE hash = @p2 AND consumed_at IS NULL",
                [now, rotation.SealedSuccessor, rotation.ConsumedHash], cancellationToken) != 1)
        {
            return false;
        }
        await ExecuteAsync(connection, transaction, "INSERT INTO refresh_tokens (hash, session_id, generation, created_at, expires_at) VALUES (@p0, @p1, @p2, @p3, @p4)",
            [successor.Hash, successor.SessionId, successor.Generation, successor.CreatedAt.ToUnixTimeMilliseconds(), successor.ExpiresAt.ToUnixTimeMilliseconds()], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, object?[] args, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(transaction, sql, args);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
