using System.Linq.Expressions;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Clients;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Storage;

internal sealed class UserClientConfiguration : IEntityTypeConfiguration<UserClient>
{
    public void Configure(EntityTypeBuilder<UserClient> builder)
    {
        builder.ToTable("user_clients");
        builder.HasKey(u => new { u.UserId, u.ClientId });
        builder.HasOne<User>().WithMany().HasForeignKey(u => u.UserId).HasPrincipalKey(u => u.Id);
        builder.HasOne<Client>().WithMany().HasForeignKey(u => u.ClientId).HasPrincipalKey(c => c.ClientId);
    }
}

internal sealed class SignInOtpConfiguration : IEntityTypeConfiguration<SignInOtp>
{
    public void Configure(EntityTypeBuilder<SignInOtp> builder)
    {
        builder.ToTable("sign_in_otps");
        builder.HasKey(o => o.Id);
        builder.HasIndex(o => o.Hash).IsUnique();
        builder.HasOne<User>().WithMany().HasForeignKey(o => o.UserId).HasPrincipalKey(u => u.Id);
    }
}

internal sealed class EfUserClientRepository(GatehouseDbContext db) : IUserClientRepository
{
    public Task<bool> IsAllowedAsync(string userId, string clientId, CancellationToken cancellationToken = default) =>
        db.Set<UserClient>().AnyAsync(u => u.UserId == userId && u.ClientId == clientId, cancellationToken);

    public async Task<IReadOnlyList<Client>> ListClientsAsync(string userId, CancellationToken cancellationToken = default) =>
        await db.Clients.AsNoTracking()
            .Where(c => c.DeletedAt == null && db.Set<UserClient>().Any(u => u.UserId == userId && u.ClientId == c.ClientId))
            .OrderBy(c => c.Number)
            .ToListAsync(cancellationToken);

    public void Add(UserClient userClient) => db.Set<UserClient>().Add(userClient);

    public Task<int> RemoveAsync(string userId, string clientId, CancellationToken cancellationToken = default) =>
        db.Set<UserClient>().Where(u => u.UserId == userId && u.ClientId == clientId).ExecuteDeleteAsync(cancellationToken);
}

internal sealed class EfSignInOtpRepository(GatehouseDbContext db) : ISignInOtpRepository
{
    public void Add(SignInOtp otp) => db.Set<SignInOtp>().Add(otp);

    public Task<SignInOtp?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        db.Set<SignInOtp>().FirstOrDefaultAsync(o => o.Id == id, cancellationToken);

    public Task<SignInOtp?> FindByHashAsync(string hash, CancellationToken cancellationToken = default) =>
        db.Set<SignInOtp>().FirstOrDefaultAsync(o => o.Hash == hash, cancellationToken);

    public void Remove(SignInOtp otp) => db.Set<SignInOtp>().Remove(otp);

    public async Task<bool> TryConsumeAsync(string hash, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await db.Set<SignInOtp>()
            .Where(o => o.Hash == hash && o.ConsumedAt == null && o.ExpiresAt > now)
            .ExecuteUpdateAsync(u => u.SetProperty(o => o.ConsumedAt, now), cancellationToken) == 1;
}

/// <summary>
/// Turns a checked <see cref="ClientFilter"/> tree into a LINQ predicate. Fields come from a
/// closed enum and every value is a captured variable, so EF Core sends it as a parameter: no
/// text from the request ever becomes SQL.
/// </summary>
internal sealed class EfClientQueryRepository(GatehouseDbContext db) : IClientQueryRepository
{
    public async Task<IReadOnlyList<Client>> FindAsync(ClientQuery query, CancellationToken cancellationToken = default)
    {
        var source = Filtered(db.Clients.AsNoTracking(), query.Where);
        IOrderedQueryable<Client>? ordered = null;
        foreach (var order in query.Order)
        {
            ordered = OrderBy(ordered ?? (IQueryable<Client>)source, order, ordered is null);
        }
        ordered = ordered is null ? source.OrderBy(c => c.Number) : ordered.ThenBy(c => c.Number);
        return await ordered.Skip(query.Skip).Take(query.Limit).ToListAsync(cancellationToken);
    }

    public Task<int> CountAsync(ClientFilter? where, CancellationToken cancellationToken = default) =>
        Filtered(db.Clients.AsNoTracking(), where).CountAsync(cancellationToken);

    public async Task<IReadOnlyList<Client>> FindForUpdateAsync(ClientFilter? where, int max, CancellationToken cancellationToken = default) =>
        await Filtered(db.Clients, where).OrderBy(c => c.Number).Take(max).ToListAsync(cancellationToken);

    /// <summary>Deleted clients are never listed (as LoopBack's soft-delete repositories do).</summary>
    private static IQueryable<Client> Filtered(IQueryable<Client> source, ClientFilter? where)
    {
        source = source.Where(c => c.DeletedAt == null);
        if (where is null)
        {
            return source;
        }
        var c = Expression.Parameter(typeof(Client), "c");
        return source.Where(Expression.Lambda<Func<Client, bool>>(Build(where, c), c));
    }

    private static IOrderedQueryable<Client> OrderBy(IQueryable<Client> source, ClientOrder order, bool first) => order.Field switch
    {
        ClientField.Id => Sort(source, c => c.Number, order.Descending, first),
        ClientField.ClientId => Sort(source, c => c.ClientId, order.Descending, first),
        ClientField.RedirectUrl => Sort(source, c => c.RedirectUris, order.Descending, first),
        ClientField.AccessTokenExpiration => Sort(source, c => c.AccessTokenLifetimeSeconds, order.Descending, first),
        ClientField.RefreshTokenExpiration => Sort(source, c => c.RefreshTokenLifetimeSeconds, order.Descending, first),
        ClientField.AuthCodeExpiration => Sort(source, c => c.AuthorizationCodeLifetimeSeconds, order.Descending, first),
        ClientField.CreatedOn => Sort(source, c => c.CreatedAt, order.Descending, first),
        ClientField.ModifiedOn => Sort(source, c => c.UpdatedAt, order.Descending, first),
        ClientField.DeletedOn => Sort(source, c => c.DeletedAt, order.Descending, first),
        ClientField.DeletedBy => Sort(source, c => c.DeletedBy, order.Descending, first),
        _ => Sort(source, c => c.Number, order.Descending, first),
    };

    private static IOrderedQueryable<Client> Sort<TKey>(IQueryable<Client> source, Expression<Func<Client, TKey>> key, bool descending, bool first)
    {
        if (first)
        {
            return descending ? source.OrderByDescending(key) : source.OrderBy(key);
        }
        var ordered = (IOrderedQueryable<Client>)source;
        return descending ? ordered.ThenByDescending(key) : ordered.ThenBy(key);
    }

    private static Expression Build(ClientFilter filter, ParameterExpression c) => filter switch
    {
        AllOf all => all.Items.Count == 0 ? Expression.Constant(true) : all.Items.Select(i => Build(i, c)).Aggregate(Expression.AndAlso),
        AnyOf any => any.Items.Count == 0 ? Expression.Constant(false) : any.Items.Select(i => Build(i, c)).Aggregate(Expression.OrElse),
        Comparison comparison => Compare(comparison, c),
        _ => throw new ArgumentOutOfRangeException(nameof(filter)),
    };

    private static Expression Compare(Comparison comparison, ParameterExpression c)
    {
        var (member, type) = Member(comparison.Field, c);
        Expression Value(int i) => Parameter(comparison.Values[i], type);
        switch (comparison.Operator)
        {
            case FilterOperator.Eq:
                return Expression.Equal(member, Value(0));
            case FilterOperator.Neq:
                return Expression.NotEqual(member, Value(0));
            case FilterOperator.Gt:
                return Expression.GreaterThan(member, Value(0));
            case FilterOperator.Gte:
                return Expression.GreaterThanOrEqual(member, Value(0));
            case FilterOperator.Lt:
                return Expression.LessThan(member, Value(0));
            case FilterOperator.Lte:
                return Expression.LessThanOrEqual(member, Value(0));
            case FilterOperator.Between:
                return Expression.AndAlso(Expression.GreaterThanOrEqual(member, Value(0)), Expression.LessThanOrEqual(member, Value(1)));
            case FilterOperator.Inq:
                return Enumerable.Range(0, comparison.Values.Count).Select(i => (Expression)Expression.Equal(member, Value(i))).Aggregate(Expression.OrElse);
            case FilterOperator.Nin:
                return Enumerable.Range(0, comparison.Values.Count).Select(i => (Expression)Expression.NotEqual(member, Value(i))).Aggregate(Expression.AndAlso);
            case FilterOperator.Like:
            case FilterOperator.NLike:
                var like = Expression.Call(LikeMethod, Expression.Constant(EF.Functions), member, Value(0));
                return comparison.Operator == FilterOperator.Like ? like : Expression.Not(like);
            default:
                throw new ArgumentOutOfRangeException(nameof(comparison));
        }
    }

    private static readonly System.Reflection.MethodInfo LikeMethod =
        typeof(DbFunctionsExtensions).GetMethod(nameof(DbFunctionsExtensions.Like), [typeof(DbFunctions), typeof(string), typeof(string)])!;

    /// <summary>The column a field names, as a nullable type so that null compares too.</summary>
    private static (Expression Member, Type Type) Member(ClientField field, ParameterExpression c)
    {
        Expression Prop(string name) => Expression.Property(c, name);
        Expression Nullable(Expression e, Type t) => Expression.Convert(e, t);
        return field switch
        {
            ClientField.Id => (Nullable(Prop(nameof(Client.Number)), typeof(long?)), typeof(long?)),
            ClientField.ClientId => (Prop(nameof(Client.ClientId)), typeof(string)),
            ClientField.RedirectUrl => (Prop(nameof(Client.RedirectUris)), typeof(string)),
            ClientField.AccessTokenExpiration => (Nullable(Prop(nameof(Client.AccessTokenLifetimeSeconds)), typeof(long?)), typeof(long?)),
            ClientField.RefreshTokenExpiration => (Nullable(Prop(nameof(Client.RefreshTokenLifetimeSeconds)), typeof(long?)), typeof(long?)),
            ClientField.AuthCodeExpiration => (Nullable(Prop(nameof(Client.AuthorizationCodeLifetimeSeconds)), typeof(long?)), typeof(long?)),
            ClientField.CreatedOn => (Nullable(Prop(nameof(Client.CreatedAt)), typeof(DateTimeOffset?)), typeof(DateTimeOffset?)),
            ClientField.ModifiedOn => (Nullable(Prop(nameof(Client.UpdatedAt)), typeof(DateTimeOffset?)), typeof(DateTimeOffset?)),
            ClientField.DeletedOn => (Prop(nameof(Client.DeletedAt)), typeof(DateTimeOffset?)),
            ClientField.DeletedBy => (Prop(nameof(Client.DeletedBy)), typeof(string)),
            ClientField.Deleted => (Expression.NotEqual(Prop(nameof(Client.DeletedAt)), Expression.Constant(null, typeof(DateTimeOffset?))), typeof(bool)),
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
    }

    /// <summary>A value as a captured variable, which EF Core sends as a query parameter.</summary>
    private static Expression Parameter(object? value, Type type)
    {
        var holder = Activator.CreateInstance(typeof(Holder<>).MakeGenericType(type), value)!;
        return Expression.Property(Expression.Constant(holder), "Value");
    }

    private sealed class Holder<T>(T value)
    {
        public T Value { get; } = value;
    }
}
