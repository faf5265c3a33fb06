using System.Data.Common;

namespace Gatehouse.Storage.Sql;

/// <summary>
/// One column of a table and how an entity's property maps to it: <see cref="Get"/> gives the
/// value as it is stored (times as Unix milliseconds, enums as integers), <see cref="Read"/>
/// sets the property from a result column.
/// </summary>
internal sealed class Column<T>(string name, Func<T, object?> get, Action<T, DbDataReader, int> read, Action<T, long>? setNumber = null)
{
    public string Name { get; } = name;
    public Func<T, object?> Get { get; } = get;
    public Action<T, DbDataReader, int> Read { get; } = read;

    /// <summary>Sets a 64-bit integer column's property (for the number the database assigns on insert).</summary>
    public Action<T, long>? SetNumber { get; } = setNumber;
}

/// <summary>Column factories for the value types the schema uses.</summary>
internal static class Col
{
    public static Column<T> Text<T>(string name, Func<T, string> get, Action<T, string> set) =>
        new(name, e => get(e), (e, r, i) => set(e, r.GetString(i)));

    public static Column<T> NullableText<T>(string name, Func<T, string?> get, Action<T, string?> set) =>
        new(name, e => get(e), (e, r, i) => set(e, r.IsDBNull(i) ? null : r.GetString(i)));

    public static Column<T> Int64<T>(string name, Func<T, long> get, Action<T, long> set) =>
        new(name, e => get(e), (e, r, i) => set(e, r.GetInt64(i)), set);

    public static Column<T> Int32<T>(string name, Func<T, int> get, Action<T, int> set) =>
        new(name, e => get(e), (e, r, i) => set(e, r.GetInt32(i)));

    public static Column<T> NullableInt32<T>(string name, Func<T, int?> get, Action<T, int?> set) =>
        new(name, e => get(e), (e, r, i) => set(e, r.IsDBNull(i) ? null : r.GetInt32(i)));

    public static Column<T> Bool<T>(string name, Func<T, bool> get, Action<T, bool> set) =>
        new(name, e => get(e), (e, r, i) => set(e, r.GetBoolean(i)));

    public static Column<T> Time<T>(string name, Func<T, DateTimeOffset> get, Action<T, DateTimeOffset> set) =>
        new(name, e => get(e).ToUnixTimeMilliseconds(), (e, r, i) => set(e, SqlValues.Time(r.GetInt64(i))));

    public static Column<T> NullableTime<T>(string name, Func<T, DateTimeOffset?> get, Action<T, DateTimeOffset?> set) =>
        new(name, e => get(e)?.ToUnixTimeMilliseconds(), (e, r, i) => set(e, r.IsDBNull(i) ? null : SqlValues.Time(r.GetInt64(i))));

    public static Column<T> NullableDate<T>(string name, Func<T, DateOnly?> get, Action<T, DateOnly?> set) =>
        new(name, e => get(e), (e, r, i) => set(e, r.IsDBNull(i) ? null : r.GetFieldValue<DateOnly>(i)));
}

/// <summary>How the database stores times: Unix milliseconds (SQLite cannot compare DateTimeOffset values).</summary>
internal static class SqlValues
{
    public static DateTimeOffset Time(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);

    public static DateTimeOffset? NullableTime(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Time(reader.GetInt64(ordinal));

    public static string? NullableText(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}

/// <summary>The non-generic face of an <see cref="EntityMap{T}"/>, for the unit of work.</summary>
internal interface IEntityMap
{
    string Table { get; }

    /// <summary>Position in the order rows are inserted (parents before children).</summary>
    int InsertOrder { get; }

    object?[] Snapshot(object entity);
    string KeyOf(object?[] snapshot);
    string InsertSql { get; }
    void SetIdentity(object entity, long value);
    IReadOnlyList<string> ColumnNames { get; }
    IReadOnlyList<int> KeyColumns { get; }
    int? IdentityColumn { get; }
}

/// <summary>
/// A table and the entity stored in it: the columns (in select order), the primary key, and the
/// column the database numbers on insert, if any. SQL for every map is written by hand in the
/// repositories; the map only reads rows, lists columns and builds inserts and updates.
/// </summary>
internal sealed class EntityMap<T> : IEntityMap where T : class
{
    private readonly Column<T>[] _columns;
    private readonly int[] _keys;
    private readonly int? _identity;
    private readonly Func<T> _create;

    /// <param name="identity">The 64-bit integer column the database numbers on insert, if any.</param>
    public EntityMap(string table, int insertOrder, Func<T> create, Column<T>[] columns, string[] key, string? identity = null)
    {
        Table = table;
        InsertOrder = insertOrder;
        _create = create;
        _columns = columns;
        ColumnNames = columns.Select(c => c.Name).ToArray();
        _keys = key.Select(Index).ToArray();
        if (identity is not null)
        {
            _identity = Index(identity);
            if (columns[_identity.Value].SetNumber is null)
            {
                throw new ArgumentException($"{table}: the identity column {identity} is not a 64-bit integer column.", nameof(identity));
            }
        }
        Select = string.Join(", ", ColumnNames);
        var inserted = ColumnNames.Where((_, i) => i != _identity).ToArray();
        InsertSql = $"INSERT INTO {table} ({string.Join(", ", inserted)}) VALUES ({string.Join(", ", inserted.Select((_, i) => SqlCommands.ParameterName(i)))})"
            + (identity is null ? "" : $" RETURNING {identity}");
    }

    private int Index(string column) => Array.FindIndex(_columns, c => c.Name == column) is >= 0 and var i
        ? i
        : throw new ArgumentException($"{Table}: {column} is not among the columns.", nameof(column));

    public string Table { get; }

    public int InsertOrder { get; }

    /// <summary>The column list, in the order <see cref="Read"/> expects them.</summary>
    public string Select { get; }

    /// <summary>The column list with every name prefixed by a table alias.</summary>
    public string SelectAs(string alias) => string.Join(", ", ColumnNames.Select(c => alias + "." + c));

    public IReadOnlyList<string> ColumnNames { get; }

    public IReadOnlyList<int> KeyColumns => _keys;

    public int? IdentityColumn => _identity;

    public string InsertSql { get; }

    /// <summary>Materializes the current row, whose columns are <see cref="Select"/>.</summary>
    public T Read(DbDataReader reader)
    {
        var entity = _create();
        Fill(entity, reader);
        return entity;
    }

    /// <summary>Overwrites an entity's properties from the current row.</summary>
    public void Fill(T entity, DbDataReader reader)
    {
        for (var i = 0; i < _columns.Length; i++)
        {
            _columns[i].Read(entity, reader, i);
        }
    }

    public object?[] Snapshot(object entity)
    {
        var typed = (T)entity;
        var values = new object?[_columns.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = _columns[i].Get(typed);
        }
        return values;
    }

    /// <summary>The identity of a row for the unit of work's map: its key values.</summary>
    public string KeyOf(object?[] snapshot) => _keys.Length == 1
        ? Convert.ToString(snapshot[_keys[0]], System.Globalization.CultureInfo.InvariantCulture) ?? ""
        : string.Join('\u001f', _keys.Select(k => Convert.ToString(snapshot[k], System.Globalization.CultureInfo.InvariantCulture)));

    public void SetIdentity(object entity, long value) => _columns[_identity!.Value].SetNumber!((T)entity, value);
}
