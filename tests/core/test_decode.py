from parsers.read.decode import decode_body, detect_encoding


def test_gbk_page_with_charset_only_in_meta_decodes() -> None:
    body = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"></head><body>船溪鄉法治建設</body></html>'.encode("gbk")
    assert "船溪鄉法治建設" in decode_body(body, "text/html")


def test_gb2312_label_with_a_gbk_only_character_decodes_as_gb18030() -> None:
    # 镕 is in GBK but not in GB2312: pages labelled gb2312 use it all the same.
    body = '<meta charset="gb2312"><p>朱镕基</p>'.encode("gbk")
    assert detect_encoding(body, None) == "gb18030"
    assert "朱镕基" in decode_body(body, None)


def test_header_charset_wins_over_meta() -> None:
    body = '<meta charset="gbk"><p>法治</p>'.encode("utf-8")
    assert decode_body(body, "text/html; charset=UTF-8").endswith("<p>法治</p>")


def test_a_wrong_declared_charset_falls_back_to_detection() -> None:
    body = '<meta charset="utf-8"><p>乡镇法治政府建设年度报告，调解矛盾纠纷。</p>'.encode("gbk")
    assert "调解矛盾纠纷" in decode_body(body, None)
