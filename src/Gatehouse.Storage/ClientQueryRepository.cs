using Gatehouse.Core.Clients;
using Gatehouse.Storage.Sql;

namespace Gatehouse.Storage;

/// <summary>
/// Turns a checked <see cref="ClientFilter"/> tree into SQL. Fields come from a closed enum and
/// map to fixed column names; every value is a parameter: no text from the request ever
/// becomes SQL. Comparisons keep C#'s meaning of null: "not equal" matches a null column, and
/// equality with null is IS NULL.
/// </summary>
internal sealed class SqlClientQueryRepository(SqlSession db) : IClientQueryRepository
{
    private static readonly EntityMap<Client> Map = Maps.Clients;

    public async Task<IReadOnlyList<Client>> FindAsync(ClientQuery query, CancellationToken cancellationToken = default)
    {
        var args = new List<object?>();
        var where = Where(query.Where, args);
        var order = string.Concat(query.Order.Select(o => $"{OrderColumn(o.Field)}{(o.Descending ? " DESC" : "")}, "));
        return await db.QueryAsync(Map, Tracking.None,
            $"SELECT {Map.Select} FROM clients WHERE {where} ORDER BY {order}number LIMIT {query.Limit} OFFSET {query.Skip}",
            [.. args], cancellationToken);
    }

    public async Task<int> CountAsync(ClientFilter? where, CancellationToken cancellationToken = default)
    {
        var args = new List<object?>();
        return (int)await db.ScalarAsync($"SELECT COUNT(*) FROM clients WHERE {Where(where, args)}", [.. args], cancellationToken);
    }

    public async Task<IReadOnlyList<Client>> FindForUpdateAsync(ClientFilter? where, int max, CancellationToken cancellationToken = default)
    {
        var args = new List<object?>();
        return await db.QueryAsync(Map, Tracking.Track, $"SELECT {Map.Select} FROM clients WHERE {Where(where, args)} ORDER BY number LIMIT {max}", [.. args], cancellationToken);
    }

    /// <summary>Deleted clients are never listed (as LoopBack's soft-delete repositories do).</summary>
    private static string Where(ClientFilter? filter, List<object?> args) =>
        filter is null ? "deleted_at IS NULL" : $"deleted_at IS NULL AND ({Build(filter, args)})";

    private static string OrderColumn(ClientField field) => field switch
    {
        ClientField.Deleted => "number",
        _ => Column(field),
    };

    private static string Column(ClientField field) => field switch
    {
        ClientField.Id => "number",
        ClientField.ClientId => "client_id",
        ClientField.RedirectUrl => "redirect_uris",
        ClientField.AccessTokenExpiration => "access_token_lifetime_seconds",
        ClientField.RefreshTokenExpiration => "refresh_token_lifetime_seconds",
        ClientField.AuthCodeExpiration => "authorization_code_lifetime_seconds",
        ClientField.CreatedOn => "created_at",
        ClientField.ModifiedOn => "updated_at",
        ClientField.DeletedOn => "deleted_at",
        ClientField.DeletedBy => "deleted_by",
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    private static string Build(ClientFilter filter, List<object?> args) => filter switch
    {
        AllOf all => all.Items.Count == 0 ? "1 = 1" : string.Join(" AND ", all.Items.Select(i => $"({Build(i, args)})")),
        AnyOf any => any.Items.Count == 0 ? "1 = 0" : string.Join(" OR ", any.Items.Select(i => $"({Build(i, args)})")),
        Comparison comparison => Compare(comparison, args),
        _ => throw new ArgumentOutOfRangeException(nameof(filter)),
    };

    private static string Compare(Comparison comparison, List<object?> args)
    {
        if (comparison.Field == ClientField.Deleted)
        {
            // Equality only (ClientQueries.Normalize): is the client deleted or not.
            var deleted = comparison.Values[0] is true;
            return (comparison.Operator == FilterOperator.Eq) == deleted ? "deleted_at IS NOT NULL" : "deleted_at IS NULL";
        }
        var column = Column(comparison.Field);
        string Value(int i)
        {
            var name = SqlCommands.ParameterName(args.Count);
            args.Add(comparison.Values[i] is DateTimeOffset time ? time.ToUnixTimeMilliseconds() : comparison.Values[i]);
            return name;
        }
        string Equal(int i) => comparison.Values[i] is null ? $"{column} IS NULL" : $"{column} = {Value(i)}";
        string NotEqual(int i) => comparison.Values[i] is null ? $"{column} IS NOT NULL" : $"({column} <> {Value(i)} OR {column} IS NULL)";
        string Ordered(string op, int i) => comparison.Values[i] is null ? "1 = 0" : $"{column} {op} {Value(i)}";
        return comparison.Operator switch
        {
            FilterOperator.Eq => Equal(0),
            FilterOperator.Neq => NotEqual(0),
            FilterOperator.Gt => Ordered(">", 0),
            FilterOperator.Gte => Ordered(">=", 0),
            FilterOperator.Lt => Ordered("<", 0),
            FilterOperator.Lte => Ordered("<=", 0),
            FilterOperator.Between => $"{Ordered(">=", 0)} AND {Ordered("<=", 1)}",
            FilterOperator.Inq => string.Join(" OR ", Enumerable.Range(0, comparison.Values.Count).Select(Equal)),
            FilterOperator.Nin => string.Join(" AND ", Enumerable.Range(0, comparison.Values.Count).Select(NotEqual)),
            FilterOperator.Like => comparison.Values[0] is null ? "1 = 0" : $"{column} LIKE {Value(0)}",
            FilterOperator.NLike => comparison.Values[0] is null ? "1 = 0" : $"{column} NOT LIKE {Value(0)}",
            _ => throw new ArgumentOutOfRangeException(nameof(comparison)),
        };
    }
}
