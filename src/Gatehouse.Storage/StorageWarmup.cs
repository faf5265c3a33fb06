using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Storage;

/// <summary>
/// Builds EF Core's model and compiles a first query on another core while the host is still
/// being built: both cost about a second on first use, and the design-time tools that would
/// pre-compile the model do not install here. EF shares the built model between contexts with
/// the same options, so the real contexts start warm. Start-up awaits it before migrating.
/// </summary>
public sealed class StorageWarmup
{
    private readonly Lazy<Task> _task;

    public StorageWarmup(DatabaseProvider provider, string connectionString) =>
        _task = new Lazy<Task>(() => Task.Run(() =>
        {
            var options = new DbContextOptionsBuilder<GatehouseDbContext>();
            StorageServiceCollectionExtensions.Configure(options, provider, connectionString);
            using var db = new GatehouseDbContext(options.Options);
            _ = db.Model;
            _ = db.SigningKeys.AsNoTracking().Where(k => k.ExpiresAt > DateTimeOffset.MinValue).OrderBy(k => k.CreatedAt).ToQueryString();
            _ = db.Users.Where(u => u.Id == "").ToQueryString();
        }));

    /// <summary>Starts the warm-up (idempotent) and returns it.</summary>
    public Task RunAsync() => _task.Value;
}
