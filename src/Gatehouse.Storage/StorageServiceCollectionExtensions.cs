using System.Data.Common;
using Gatehouse.Core.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the DbContext (pooled), the repositories and the unit of work.</summary>
    public static IServiceCollection AddGatehouseStorage(this IServiceCollection services, DatabaseProvider provider, string connectionString)
    {
        services.AddPooledDbContextFactory<GatehouseDbContext>((sp, options) =>
        {
            Configure(options, provider, connectionString);
            // Resolved at first use: the listener (a cache) reads through this very factory.
            options.AddInterceptors(new UserChangeInterceptor(new Lazy<IUserChangeListener?>(() => sp.GetService<IUserChangeListener>())));
        });
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<GatehouseDbContext>>().CreateDbContext());
        services.AddScoped<IUnitOfWork, EfUnitOfWork>();
        services.AddScoped<IUserRepository, EfUserRepository>();
        services.AddScoped<ISessionRepository, EfSessionRepository>();
        services.AddScoped<IOneTimeTokenRepository, EfOneTimeTokenRepository>();
        services.AddScoped<IOutboxRepository, EfOutboxRepository>();
        services.AddScoped<IAuditLog, EfAuditLog>();
        services.AddScoped<IClientRepository, EfClientRepository>();
        services.AddScoped<Gatehouse.Core.Teams.ITeamRepository, EfTeamRepository>();
        services.AddScoped<Gatehouse.Core.Clients.IUserClientRepository, EfUserClientRepository>();
        services.AddScoped<Gatehouse.Core.Clients.ISignInOtpRepository, EfSignInOtpRepository>();
        services.AddScoped<Gatehouse.Core.Clients.IClientQueryRepository, EfClientQueryRepository>();
        if (provider == DatabaseProvider.Postgres)
        {
            services.AddScoped<IRefreshRotationStore, EfRefreshRotationStore>();
        }
        else
        {
            services.AddSingleton<SqliteReaders>();
            services.AddSingleton<SqliteRotationWriter>();
            services.AddSingleton<IRefreshRotationStore, SqliteRefreshRotationStore>();
        }
        services.AddSingleton<ISessionStateReader, EfSessionStateReader>();
        services.AddSingleton<IUserReader, EfUserReader>();
        services.AddSingleton<ISessionSecretReader, EfSessionSecretReader>();
        services.AddSingleton<ISigningKeyRepository, EfSigningKeyRepository>();
        services.AddSingleton<DataProtectionKeyStore>();
        services.AddSingleton(new DatabaseConnections(provider, connectionString));
        services.AddSingleton<MigrationRunner>();
        return services;
    }

    internal static void Configure(DbContextOptionsBuilder options, DatabaseProvider provider, string connectionString)
    {
        if (provider == DatabaseProvider.Postgres)
        {
            options.UseNpgsql(connectionString);
        }
        else
        {
            options.UseSqlite(connectionString);
            options.AddInterceptors(SqlitePragmas.Instance, SqliteWriteLock.Instance);
        }
    }

    /// <summary>The SQLite connection string for a data directory.</summary>
    public static string DefaultSqliteConnectionString(string dataDirectory) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "gatehouse.db"),
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();

    /// <summary>
    /// Per-connection SQLite settings: with WAL, synchronous=NORMAL survives a process crash
    /// (only a power loss may drop the last commits); foreign keys on. The settings belong to
    /// the native connection, which the pool keeps open, so they are applied once per native
    /// connection rather than on every open (three statements saved per query).
    /// </summary>
    internal sealed class SqlitePragmas : DbConnectionInterceptor
    {
        /// <summary>Run once on every native connection Gatehouse opens, EF's or its own.</summary>
        public const string Sql = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;";

        public static SqlitePragmas Instance { get; } = new();

        private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> _configured = [];

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Apply(connection);
            return Task.CompletedTask;
        }

        private void Apply(DbConnection connection)
        {
            var handle = (connection as SqliteConnection)?.Handle;
            if (handle is not null && _configured.TryGetValue(handle, out _))
            {
                return;
            }
            using var command = connection.CreateCommand();
            command.CommandText = Sql;
            command.ExecuteNonQuery();
            if (handle is not null)
            {
                _configured.AddOrUpdate(handle, this);
            }
        }
    }
}
