"""Traditional script read as simplified: a report published in 繁體 ("上年結轉") is read with the
same words as one in simplified script ("上年结转").

A character table, not a dictionary of phrases: the form's labels and its narrative vocabulary are
ordinary administrative Chinese, where every traditional character used has one simplified form.
One character for one keeps every position in a text where it was, so a finding can quote the text
at the place it found. A character that is also a simplified one with another meaning (著, 乾, 瞭)
is left as it is. No library: OpenCC converts phrases and variants that
these texts never need, and would be one more dependency to install in a county's office.
"""

from __future__ import annotations

import re

# Pairs: traditional, simplified (each string read two characters at a time).
_PAIRS = (
    "萬万與与專专業业叢丛東东絲丝兩两嚴严喪丧個个豐丰臨临為为麗丽舉举義义烏乌樂乐喬乔習习鄉乡書书買买亂乱"
    "爭争於于虧亏雲云亞亚產产畝亩親亲億亿僅仅從从侖仑倉仓儀仪們们價价眾众優优會会傘伞偉伟傳传傷伤倫伦"
    "偽伪體体餘余傭佣僉佥俠侠侶侣僥侥偵侦側侧僑侨儈侩儕侪儂侬俁俣係系倀伥倆俩倖幸債债傾倾僂偻僨偾償偿"
    "儲储兒儿兌兑黨党蘭兰關关興兴茲兹養养獸兽內内岡冈冊册寫写軍军農农馮冯沖冲決决況况凍冻淨净準准涼凉"
    "減减湊凑凜凛幾几鳳凤鳧凫憑凭凱凯擊击鑿凿芻刍劃划劉刘則则剛刚創创刪删別别剗刬剄刭劊刽劌刿劍剑劑剂"
    "勸劝辦办務务勱劢動动勵励勁劲勞劳勢势勛勋勻匀匭匦匱匮區区醫医華华協协單单賣卖盧卢衛卫卻却廠厂廳厅"
    "曆历歷历厲厉壓压厭厌厙厍廁厕廂厢廈厦廚厨廄厩廝厮縣县參参雙双發发變变敘叙疊叠葉叶號号嘆叹嘰叽嚇吓"
    "呂吕嗎吗啟启吳吴吶呐員员嗆呛嗚呜詠咏嚨咙響响啞哑噠哒團团園园圍围國国圖图圓圆聖圣場场壞坏塊块"
    "堅坚壇坛壩坝墳坟墜坠壟垄執执報报墾垦壺壶聲声處处備备複复復复夠够頭头誇夸夾夹奪夺奮奋獎奖奧奥妝妆"
    "婦妇媽妈嬌娇孫孙學学寧宁寶宝實实寵宠審审憲宪宮宫寬宽賓宾對对尋寻導导壽寿將将爾尔塵尘嘗尝層层屬属"
    "歲岁豈岂島岛嶺岭幣币帥帅師师帳帐帶带幫帮廣广莊庄慶庆廬庐庫库應应廟庙開开異异棄弃張张彌弥彎弯彈弹"
    "強强歸归當当錄录彙汇彥彦徹彻徑径從从徵征憶忆懷怀態态憐怜總总恆恒懇恳惡恶悶闷驚惊懼惧慘惨慣惯"
    "願愿慮虑憂忧戲戏戶户撲扑執执擴扩掃扫揚扬擾扰撫抚搶抢護护報报擔担擬拟攏拢揀拣擁拥攔拦擰拧撥拨擇择"
    "掛挂摯挚撓挠擋挡揮挥擠挤損损撿捡換换搗捣據据擄掳擲掷攤摊擺摆攜携攝摄斂敛數数齋斋斷断無无舊旧時时"
    "曠旷晝昼顯显曬晒曉晓暫暂術术樸朴機机殺杀雜杂權权條条來来楊杨極极構构標标棧栈檔档橋桥樁桩夢梦檢检"
    "樓楼欄栏櫻樱樣样歡欢毆殴氣气漢汉湯汤溝沟沒没灃沣滬沪淚泪潑泼瀉泻澤泽潔洁灑洒濁浊測测濟济瀏浏渾浑"
    "濃浓濤涛澇涝潤润漲涨滲渗溫温灣湾濕湿滿满濾滤濱滨灘滩滯滞燈灯災灾爐炉點点煉炼爛烂熱热煥焕營营爺爷"
    "牆墙牘牍犧牺狀状獨独獄狱獲获猶犹瑪玛環环現现璽玺瑣琐產产畫画暢畅當当疇畴療疗癢痒發发皺皱盡尽監监"
    "盤盘盧卢眾众睞睐矯矫硃朱碼码礎础確确禮礼禍祸離离種种積积稱称穩稳窮穷竊窃競竞筆笔築筑簡简籌筹"
    "簽签類类糧粮緊紧糾纠紀纪約约紅红級级納纳紐纽純纯紙纸紛纷組组細细終终絕绝經经綜综綠绿維维網网綱纲"
    "編编緣缘練练線线縮缩績绩織织繞绕繩绳繼继續续罰罚罷罢羅罗聯联聞闻職职聽听脅胁脈脉腦脑膽胆臉脸興兴"
    "艦舰艱艰藝艺節节範范葉叶蒼苍蘇苏藥药蟲虫蝦虾補补製制複复襲袭規规視视覽览覺觉觀观訂订計计訊讯"
    "討讨訓训記记講讲許许論论設设訪访證证評评識识訴诉診诊詞词譯译試试詩诗誠诚話话該该詳详認认語语誤误"
    "說说請请諸诸讀读課课誰谁調调談谈諮咨謀谋謝谢謹谨議议護护讓让貝贝負负財财責责貨货質质販贩貧贫購购"
    "貸贷費费資资賊贼賠赔賞赏賢贤賬账賴赖贊赞贈赠趕赶趨趋躍跃蹤踪車车軌轨軟软較较載载輕轻輔辅輛辆輸输"
    "輯辑轉转辭辞農农這这遠远運运連连進进違违選选過过達达遲迟遞递適适遺遗邊边郵邮鄭郑醬酱釋释鐘钟鋼钢"
    "錢钱鐵铁銀银銷销鎖锁鋪铺錯错鍵键鍊链鎮镇長长門门閃闪閉闭問问閑闲間间閱阅闡阐隊队陽阳陰阴陣阵階阶"
    "際际陸陆隨随險险隱隐雖虽雙双離离難难電电靈灵靜静響响頂顶項项順顺須须預预領领頻频題题額额顏颜類类"
    "顧顾風风飛飞飯饭飲饮館馆馬马駐驻驗验騰腾體体髮发鬥斗魚鱼鳥鸟鹽盐麥麦黃黄齊齐齒齿龍龙龜龟臺台檯台"
    "颱台彙汇匯汇併并並并佈布週周祕秘裡里裏里後后夥伙麵面鍾钟蘋苹齡龄嶼屿衝冲週周擬拟閒闲"
    "廢废愛爱訟讼詢询貫贯絡络隻只賦赋屆届獻献麼么稅税懲惩漁渔覈核敗败駁驳結结幹干還还貼贴觸触頁页"
    "鏈链戰战誌志蓋盖勝胜億亿僱雇糾纠統统"
)
_TABLE = str.maketrans({_PAIRS[i]: _PAIRS[i + 1] for i in range(0, len(_PAIRS), 2)})
_TRADITIONAL = re.compile("[" + "".join(sorted({_PAIRS[i] for i in range(0, len(_PAIRS), 2)})) + "]")


def simplified(text: str) -> str:
    """``text`` with its traditional characters in simplified script (same length, same places).
    Most texts have none: the search costs less than a translate of every character."""
    return text.translate(_TABLE) if _TRADITIONAL.search(text) else text


def is_traditional(text: str) -> bool:
    """Whether ``text`` holds a traditional character of the table."""
    return _TRADITIONAL.search(text) is not None
