using Npgsql;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>
/// A fresh, empty database for one host: a SQLite file in a temp folder, or a new PostgreSQL
/// database on the test cluster. Dropped on dispose.
/// </summary>
public sealed class TestDatabase : IDisposable
{
    private TestDatabase(string provider, string connectionString, string dataDirectory, string? postgresName)
    {
        Provider = provider;
        ConnectionString = connectionString;
        DataDirectory = dataDirectory;
        _postgresName = postgresName;
    }

    private readonly string? _postgresName;

    public string Provider { get; }
    public string ConnectionString { get; }
    public string DataDirectory { get; }

    public static TestDatabase Create()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("gatehouse-test-").FullName;
        if (!TestEnvironment.UsePostgres)
        {
            return new TestDatabase("sqlite", $"Data Source={Path.Combine(dataDirectory, "gatehouse.db")};Pooling=True;Default Timeout=30", dataDirectory, null);
        }
        var name = "gh_" + Guid.NewGuid().ToString("N")[..16];
        using (var admin = new NpgsqlConnection(TestEnvironment.PostgresConnectionString))
        {
            admin.Open();
            using var command = admin.CreateCommand();
            command.CommandText = $"CREATE DATABASE {name}";
            command.ExecuteNonQuery();
        }
        var builder = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresConnectionString) { Database = name, MaxPoolSize = 30 };
        return new TestDatabase("postgres", builder.ConnectionString, dataDirectory, name);
    }

    public void Dispose()
    {
        if (_postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            try
            {
                using var admin = new NpgsqlConnection(TestEnvironment.PostgresConnectionString);
                admin.Open();
                using var command = admin.CreateCommand();
                command.CommandText = $"DROP DATABASE IF EXISTS {_postgresName} WITH (FORCE)";
                command.ExecuteNonQuery();
            }
            catch (NpgsqlException)
            {
                // The cluster is thrown away after the run anyway.
            }
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
