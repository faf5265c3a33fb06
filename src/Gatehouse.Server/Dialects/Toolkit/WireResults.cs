using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;

namespace Gatehouse.Server.Dialects;

/// <summary>
/// An HTTP status as a type, so that a handler's signature names the statuses it answers with
/// and the OpenAPI document is derived from it (STYLE.md 2).
/// </summary>
internal interface IHttpStatus
{
    static abstract int Code { get; }
}

#pragma warning disable CA1815 // marker types: never compared
internal readonly struct Status200 : IHttpStatus { public static int Code => StatusCodes.Status200OK; }
internal readonly struct Status201 : IHttpStatus { public static int Code => StatusCodes.Status201Created; }
#pragma warning restore CA1815

/// <summary>
/// An error body type of a dialect. It names the statuses the dialect's errors use, which every
/// route answering with it documents.
/// </summary>
internal interface IWireError
{
    static abstract IReadOnlyList<int> DocumentedStatuses { get; }
}

/// <summary>
/// A dialect's JSON answer with a fixed status: the body is written with the dialect's own
/// serializer context and content type, and the route's OpenAPI entry gets the body's schema.
/// </summary>
internal sealed class WireJson<TBody, TStatus> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<TBody>, IContentTypeHttpResult
    where TStatus : IHttpStatus
{
    private readonly byte[] _json;

    public WireJson(TBody value, JsonTypeInfo<TBody> type, string contentType = WireContent.Json)
        : this(value, JsonSerializer.SerializeToUtf8Bytes(value, type), contentType)
    {
    }

    /// <summary>A body already written (for a projection of <typeparamref name="TBody"/>, such as LoopBack's <c>fields</c>).</summary>
    public WireJson(TBody? value, byte[] json, string contentType = WireContent.Json)
    {
        Value = value;
        _json = json;
        ContentType = contentType;
    }

    public TBody? Value { get; }

    object? IValueHttpResult.Value => Value;

    public int? StatusCode => TStatus.Code;

    public string ContentType { get; }

    public Task ExecuteAsync(HttpContext httpContext) => WireContent.WriteAsync(httpContext, TStatus.Code, ContentType, _json);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(TStatus.Code, typeof(TBody), [WireContent.MediaType]));
}

/// <summary>
/// A dialect's error answer: the status is the mapper's choice; the OpenAPI entry lists the
/// error body's schema for every status the dialect documents for its errors.
/// </summary>
internal sealed class WireError<TBody> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<TBody>, IContentTypeHttpResult
    where TBody : IWireError
{
    private readonly byte[] _json;

    public WireError(int status, TBody value, JsonTypeInfo<TBody> type, string contentType = WireContent.Json)
    {
        StatusCode = status;
        Value = value;
        _json = JsonSerializer.SerializeToUtf8Bytes(value, type);
        ContentType = contentType;
    }

    public TBody? Value { get; }

    object? IValueHttpResult.Value => Value;

    public int? StatusCode { get; }

    public string ContentType { get; }

    public Task ExecuteAsync(HttpContext httpContext) => WireContent.WriteAsync(httpContext, StatusCode!.Value, ContentType, _json);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        foreach (var status in TBody.DocumentedStatuses)
        {
            builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(TBody), [WireContent.MediaType]));
        }
    }
}

internal static class WireContent
{
    /// <summary>What ASP.NET Core's JSON results write, and LoopBack's too.</summary>
    public const string Json = "application/json; charset=utf-8";

    /// <summary>The media type alone, for the OpenAPI document.</summary>
    public const string MediaType = "application/json";

    public static Task WriteAsync(HttpContext context, int status, string contentType, byte[] json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = json.Length;
        return context.Response.Body.WriteAsync(json).AsTask();
    }
}
