# Declarations from <openssl/asn1.h>: ASN.1 strings, integers, times, objects.
from libc.time cimport tm
from openssl.bio cimport BIO
from openssl.crypto cimport OSSL_LIB_CTX

cdef extern from "openssl/asn1.h" nogil:
    # Public in asn1.h; flags holds a BIT STRING's unused-bits count (ASN1_item_verify checks it).
    ctypedef struct ASN1_STRING:
        int length
        int type
        unsigned char *data
        long flags
    ctypedef ASN1_STRING ASN1_INTEGER
    ctypedef ASN1_STRING ASN1_TIME
    ctypedef ASN1_STRING ASN1_IA5STRING
    ctypedef ASN1_STRING ASN1_OCTET_STRING
    ctypedef struct ASN1_OBJECT:
        pass
    ctypedef struct stack_st_ASN1_OBJECT "struct stack_st_ASN1_OBJECT":
        pass
    ctypedef struct ASN1_TYPE:
        pass
    ctypedef struct ASN1_VALUE:
        pass
    ctypedef struct ASN1_ITEM:
        pass

    enum:
        V_ASN1_NEG
        V_ASN1_INTEGER
        V_ASN1_NEG_INTEGER
        V_ASN1_UTCTIME
        V_ASN1_GENERALIZEDTIME
        V_ASN1_UTF8STRING
        V_ASN1_PRINTABLESTRING
        V_ASN1_BIT_STRING

    int ASN1_STRING_length(const ASN1_STRING *x)
    int ASN1_STRING_type(const ASN1_STRING *x)
    const unsigned char *ASN1_STRING_get0_data(const ASN1_STRING *x)
    int ASN1_STRING_to_UTF8(unsigned char **out, const ASN1_STRING *inp)
    int ASN1_TIME_to_tm(const ASN1_TIME *s, tm *t)
    int ASN1_STRING_set(ASN1_STRING *str, const void *data, int len)
    ASN1_STRING *ASN1_STRING_type_new(int type)
    void ASN1_STRING_free(ASN1_STRING *a)
    int ASN1_TIME_print(BIO *bp, const ASN1_TIME *t)
    ASN1_VALUE *ASN1_item_d2i_ex(ASN1_VALUE **val, const unsigned char **inp, long length,
                                 const ASN1_ITEM *it, OSSL_LIB_CTX *libctx, const char *propq)
    void ASN1_item_free(ASN1_VALUE *val, const ASN1_ITEM *it)
    void ASN1_OCTET_STRING_free(ASN1_OCTET_STRING *a)
    # Macros over OPENSSL_sk_*; typed here so the C compiler sees the real stack type.
    int sk_ASN1_OBJECT_num(const stack_st_ASN1_OBJECT *sk)
    ASN1_OBJECT *sk_ASN1_OBJECT_value(const stack_st_ASN1_OBJECT *sk, int idx)
    # The header of the next BER/DER element: returns 0x80 on error, 0x21 for indefinite length.
    int ASN1_get_object(const unsigned char **pp, long *plength, int *ptag, int *pclass, long omax)

    # From <openssl/asn1err.h>, which asn1.h includes.
    enum:
        ASN1_R_HEADER_TOO_LONG

    # Inspection: bit strings (keyUsage) and typed values (algorithm parameters).
    ctypedef ASN1_STRING ASN1_BIT_STRING
    enum:
        V_ASN1_OBJECT
        V_ASN1_NULL
    int ASN1_BIT_STRING_get_bit(const ASN1_BIT_STRING *a, int n)
    void ASN1_BIT_STRING_free(ASN1_BIT_STRING *a)
    enum:
        V_ASN1_SEQUENCE
