using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Gatehouse.Storage;

/// <summary>
/// ADO.NET connections to the configured database. Both providers pool their native
/// connections. On SQLite, every native connection gets Gatehouse's settings once
/// (<see cref="SqlitePragmas"/>), however it is opened.
/// </summary>
public sealed class DatabaseConnections(DatabaseProvider provider, string connectionString)
{
    private readonly ConditionalWeakTable<object, object> _configured = [];

    public DatabaseProvider Provider { get; } = provider;

    public bool IsSqlite => Provider == DatabaseProvider.Sqlite;

    /// <summary>A new connection, not opened (and without the SQLite settings until <see cref="Open"/>).</summary>
    public DbConnection Create() => IsSqlite
        ? new SqliteConnection(connectionString)
        : new Npgsql.NpgsqlConnection(connectionString);

    /// <summary>An opened connection with Gatehouse's settings applied.</summary>
    public async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = Create();
        try
        {
            await connection.OpenAsync(cancellationToken);
            Configure(connection);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>An opened connection with Gatehouse's settings applied (for synchronous callers).</summary>
    public DbConnection Open()
    {
        var connection = Create();
        try
        {
            connection.Open();
            Configure(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Applies <see cref="SqlitePragmas.Sql"/> to a SQLite connection's native handle, once: the
    /// pool keeps the native connection open, so the settings outlive each open and close.
    /// </summary>
    private void Configure(DbConnection connection)
    {
        if (connection is not SqliteConnection { Handle: { } handle })
        {
            return;
        }
        if (_configured.TryGetValue(handle, out _))
        {
            return;
        }
        using var command = connection.CreateCommand();
        command.CommandText = SqlitePragmas.Sql;
        command.ExecuteNonQuery();
        _configured.AddOrUpdate(handle, this);
    }
}

/// <summary>
/// Per-connection SQLite settings: with WAL, synchronous=NORMAL survives a process crash (only a
/// power loss may drop the last commits); foreign keys on; a writer waits up to 30 s for a lock.
/// </summary>
internal static class SqlitePragmas
{
    public const string Sql = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;";
}

/// <summary>Building commands with positional parameters named @p0, @p1, ….</summary>
internal static class SqlCommands
{
    public static DbCommand Command(this DbConnection connection, DbTransaction? transaction, string sql, ReadOnlySpan<object?> args)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        for (var i = 0; i < args.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = ParameterName(i);
            parameter.Value = args[i] ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    private static readonly string[] Names = Enumerable.Range(0, 32).Select(i => "@p" + i).ToArray();

    public static string ParameterName(int i) => i < Names.Length ? Names[i] : "@p" + i;
}
