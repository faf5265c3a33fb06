namespace Gatehouse.Core.Common;

/// <summary>
/// An expected failure of a use case, with a stable code. Adapters map codes to their own wire
/// errors; the core never throws for an expected failure (see docs/architecture.md).
/// </summary>
public sealed record CoreError(string Code, string Message)
{
    /// <summary>Per-field problems, for validation failures: field name to rule codes.</summary>
    public IReadOnlyDictionary<string, string[]> Fields { get; init; } = EmptyFields;

    private static readonly IReadOnlyDictionary<string, string[]> EmptyFields = new Dictionary<string, string[]>();

    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>Either a value or a <see cref="CoreError"/>.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, CoreError? error)
    {
        _value = value;
        Error = error;
    }

    public CoreError? Error { get; }

    public bool Succeeded => Error is null;

    public T Value => Error is null ? _value! : throw new InvalidOperationException($"The result failed with {Error}.");

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(CoreError error) => new(default, error);
}

/// <summary>A result without a value.</summary>
public readonly struct Result
{
    private Result(CoreError? error) => Error = error;

    public CoreError? Error { get; }

    public bool Succeeded => Error is null;

    public static Result Ok { get; } = new(null);

    public static implicit operator Result(CoreError error) => new(error);
}
