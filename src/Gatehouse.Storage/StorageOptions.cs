namespace Gatehouse.Storage;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Section <c>Gatehouse:Database</c>.</summary>
public sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>
    /// ADO.NET connection string. For SQLite it defaults to a file <c>gatehouse.db</c> in the
    /// data directory; for PostgreSQL it is required.
    /// </summary>
    public string? ConnectionString { get; set; }

    public DatabaseProvider ParsedProvider =>
        string.Equals(Provider, "postgres", StringComparison.OrdinalIgnoreCase) || string.Equals(Provider, "postgresql", StringComparison.OrdinalIgnoreCase)
            ? DatabaseProvider.Postgres
            : DatabaseProvider.Sqlite;
}
