using System.Runtime.CompilerServices;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Gatehouse.Storage;

/// <summary>Reads a user through its own short-lived context, untracked, outside any unit of work.</summary>
internal sealed class EfUserReader(IDbContextFactory<GatehouseDbContext> factory) : IUserReader
{
    private static readonly Func<GatehouseDbContext, string, Task<User?>> ById =
        EF.CompileAsyncQuery((GatehouseDbContext db, string id) => db.Users.AsNoTracking().FirstOrDefault(u => u.Id == id));

    public async Task<User?> FindByIdAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await ById(db, id);
    }
}

/// <summary>
/// Reports every user row EF writes to <see cref="IUserChangeListener"/>: right after the save,
/// and again when the surrounding transaction commits (a cache refilled between the save and
/// the commit would otherwise hold the old row). Users are only written through tracked
/// entities (no bulk updates of users exist), so this sees every write of this process.
/// </summary>
internal sealed class UserChangeInterceptor(Lazy<IUserChangeListener?> listener) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, List<string>> _saving = [];
    private readonly ConditionalWeakTable<DbContext, List<string>> _uncommitted = [];

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Saved(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

    public Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }

    private void Collect(DbContext? context)
    {
        if (context is null)
        {
            return;
        }
        List<string>? ids = null;
        foreach (var entry in context.ChangeTracker.Entries<User>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            {
                (ids ??= []).Add(entry.Entity.Id);
            }
        }
        if (ids is not null)
        {
            _saving.AddOrUpdate(context, ids);
        }
    }

    private void Saved(DbContext? context)
    {
        if (context is null || !_saving.TryGetValue(context, out var ids))
        {
            return;
        }
        _saving.Remove(context);
        Notify(ids);
        if (context.Database.CurrentTransaction is not null)
        {
            _uncommitted.GetOrCreateValue(context).AddRange(ids);
        }
    }

    private void Committed(DbContext? context)
    {
        if (context is not null && _uncommitted.TryGetValue(context, out var ids))
        {
            _uncommitted.Remove(context);
            Notify(ids);
        }
    }

    private void Notify(List<string> ids)
    {
        if (listener.Value is not { } changes)
        {
            return;
        }
        foreach (var id in ids)
        {
            changes.UserChanged(id);
        }
    }
}
