using Gatehouse.Core.Common;
using Gatehouse.Storage.Sql;

namespace Gatehouse.Storage;

/// <summary>
/// SQLite: a lone snapshot read is one prepared statement on a kept-open reader connection
/// (<see cref="SqliteReaders"/>); a rotation, read included, goes through the group-commit writer.
/// </summary>
internal sealed class SqliteRefreshRotationStore(DetachedReads reads, SqliteRotationWriter writer) : IRefreshRotationStore
{
    public Task<RefreshSnapshot?> FindAsync(string hash, CancellationToken cancellationToken = default) =>
        RefreshSnapshotQuery.FindAsync(reads, hash, cancellationToken);

    public Task<RotationAttempt> RotateAsync(string hash, Func<RefreshSnapshot, RefreshRotation?> plan, CancellationToken cancellationToken = default) =>
        writer.RotateAsync(hash, plan);
}
