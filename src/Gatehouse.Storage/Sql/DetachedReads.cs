using System.Data.Common;

namespace Gatehouse.Storage.Sql;

/// <summary>
/// Reads outside any unit of work (per-request checks, caches refilling, the key ring). On
/// SQLite they run on the kept-open reader connections with prepared statements
/// (<see cref="SqliteReaders"/>); on PostgreSQL each borrows a pooled connection.
/// </summary>
internal sealed class DetachedReads(DatabaseConnections connections, SqliteReaders? readers = null)
{
    /// <summary>The first row, read by <paramref name="read"/>; default if none.</summary>
    public async Task<T?> FirstAsync<T>(string sql, object?[] args, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = await ReadAsync(sql, args, read, 1, cancellationToken);
        return rows.Count == 0 ? default : rows[0];
    }

    /// <summary>Every row, read by <paramref name="read"/>.</summary>
    public Task<List<T>> ListAsync<T>(string sql, object?[] args, Func<DbDataReader, T> read, CancellationToken cancellationToken) =>
        ReadAsync(sql, args, read, int.MaxValue, cancellationToken);

    private async Task<List<T>> ReadAsync<T>(string sql, object?[] args, Func<DbDataReader, T> read, int max, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        if (readers is not null)
        {
            using var lease = await readers.RentAsync(cancellationToken);
            var command = lease.Command(sql, ParameterNames(args.Length));
            for (var i = 0; i < args.Length; i++)
            {
                command.Parameters[i].Value = args[i] ?? DBNull.Value;
            }
            using var reader = command.ExecuteReader();
            while (rows.Count < max && reader.Read())
            {
                rows.Add(read(reader));
            }
            return rows;
        }
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var pooled = connection.Command(null, sql, args);
        await using var result = await pooled.ExecuteReaderAsync(cancellationToken);
        while (rows.Count < max && await result.ReadAsync(cancellationToken))
        {
            rows.Add(read(result));
        }
        return rows;
    }

    private static readonly string[][] Names = Enumerable.Range(0, 8).Select(n => Enumerable.Range(0, n).Select(SqlCommands.ParameterName).ToArray()).ToArray();

    private static string[] ParameterNames(int count) => count < Names.Length ? Names[count] : Enumerable.Range(0, count).Select(SqlCommands.ParameterName).ToArray();
}
